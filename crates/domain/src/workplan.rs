//! M3: parsing a work-points document into sections and numbered items.
