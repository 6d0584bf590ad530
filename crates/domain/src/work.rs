//! M3/M4: assignment and rectification states and their transitions.
