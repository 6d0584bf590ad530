//! Who may do what: one table, Role × Permission, read by the API and the pages alike.
//!
//! A check gives a [`Granted`], and a store write needs an actor made from one
//! (`store::Actor::user`), so a write whose check was forgotten does not compile. Scope
//! (which orgs' records) is checked apart from this, by the store, on every read and write.

use crate::Role;

/// What a role may do (reading is open to every role unless a module says otherwise).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    /// Create, change and delete party orgs and societies (within the caller's scope), and
    /// import the societies sheet.
    EditRegistry,
    /// Users, their roles and passwords.
    ManageUsers,
    /// Read the audit log.
    ReadAudit,
    /// One's own password and API tokens.
    OwnAccount,
    /// Record organizational life (activities and their attachments).
    RecordActivity,
    /// Edit the obligations (required frequencies) and run the reminder job by hand.
    ManageObligations,
    /// Import work plans and issue tasks.
    PlanWork,
    /// Answer an assignment or a rectification: report, submit, attach evidence (the org's
    /// own users, by scope).
    AnswerForOrg,
    /// Accept or return a progress report.
    ReviewAssignment,
    /// Hold inspections and record their findings.
    Inspect,
    /// Record a finding outside an inspection (a branch's self-check too).
    RecordFinding,
    /// Verify or return a rectification.
    VerifyRectification,
    /// Define periodic report forms (M5).
    DesignReportForms,
    /// Keep the funded projects of a programme, their budgets, indicators and expenditures.
    ManageProjects,
    /// Hold courses and record their attendance (M8).
    ManageCourses,
    /// Start and change campaigns (M7).
    ManageCampaigns,
    /// Enter an org into a campaign and record what it did there, with attachments (M7;
    /// a branch for the orgs of its subtree).
    RecordCampaignWork,
    /// Assign committee members to the orgs they liaise with (M9).
    ManageLiaisons,
    /// Record visits and research reports, with their files (M9).
    RecordLiaisonWork,
    /// Propose a typical case of an org in scope, unpublished (M9).
    ProposeCase,
    /// Publish (or withdraw) a typical case, and change a published one (M9).
    PublishCase,
    /// Keep the publication-channel register of societies in scope and record channel
    /// reviews (M10).
    KeepChannels,
    /// Define assessment schemes and finalize them (M6).
    DesignAssessment,
    /// Enter manual scores, override auto scores and grades, with reasons (M6).
    ScoreAssessment,
    /// Open the leadership's big screen (大屏, M11): the whole committee's figures on one
    /// full-screen page.
    ViewScreen,
}

impl Permission {
    pub const ALL: [Permission; 25] = [
        Permission::EditRegistry,
        Permission::ManageUsers,
        Permission::ReadAudit,
        Permission::OwnAccount,
        Permission::RecordActivity,
        Permission::ManageObligations,
        Permission::PlanWork,
        Permission::AnswerForOrg,
        Permission::ReviewAssignment,
        Permission::Inspect,
        Permission::RecordFinding,
        Permission::VerifyRectification,
        Permission::DesignReportForms,
        Permission::ManageProjects,
        Permission::ManageCourses,
        Permission::ManageCampaigns,
        Permission::RecordCampaignWork,
        Permission::ManageLiaisons,
        Permission::RecordLiaisonWork,
        Permission::ProposeCase,
        Permission::PublishCase,
        Permission::KeepChannels,
        Permission::DesignAssessment,
        Permission::ScoreAssessment,
        Permission::ViewScreen,
    ];
}

/// The table. `viewer` never writes; `admin` may do everything.
pub fn allows(role: Role, p: Permission) -> bool {
    use Permission as P;
    use Role::*;
    match p {
        P::OwnAccount => true,
        P::ManageUsers
        | P::ReadAudit
        | P::ManageObligations
        | P::DesignReportForms
        | P::ManageLiaisons
        | P::DesignAssessment => role == Admin,
        P::EditRegistry
        | P::RecordActivity
        | P::RecordCampaignWork
        | P::ProposeCase
        | P::KeepChannels => matches!(role, Admin | Committee | Branch),
        P::PlanWork
        | P::ReviewAssignment
        | P::ManageProjects
        | P::ManageCourses
        | P::ManageCampaigns
        | P::RecordLiaisonWork
        | P::PublishCase
        | P::ScoreAssessment => matches!(role, Admin | Committee),
        P::AnswerForOrg => matches!(role, Admin | Branch),
        P::Inspect => matches!(role, Admin | Committee | Inspector),
        P::RecordFinding => matches!(role, Admin | Committee | Inspector | Branch),
        P::VerifyRectification => matches!(role, Admin | Inspector),
        P::ViewScreen => matches!(role, Admin | Committee | Viewer),
    }
}

/// Proof that `role` was checked for `permission`; only [`check`] makes one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Granted {
    permission: Permission,
    role: Role,
}

impl Granted {
    pub fn permission(&self) -> Permission {
        self.permission
    }
    pub fn role(&self) -> Role {
        self.role
    }
}

/// The role may not do this (403).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Denied(pub Permission);

/// Looks `role` up in the table.
pub fn check(role: Role, permission: Permission) -> Result<Granted, Denied> {
    if allows(role, permission) {
        Ok(Granted { permission, role })
    } else {
        Err(Denied(permission))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The table as API.md states it, cell by cell.
    #[test]
    fn the_table_is_the_contract() {
        use Permission as P;
        use Role::*;
        let rows: [(Permission, [bool; 5]); 25] = [
            //                       admin committee inspector branch viewer
            (P::EditRegistry, [true, true, false, true, false]),
            (P::ManageUsers, [true, false, false, false, false]),
            (P::ReadAudit, [true, false, false, false, false]),
            (P::OwnAccount, [true, true, true, true, true]),
            (P::RecordActivity, [true, true, false, true, false]),
            (P::ManageObligations, [true, false, false, false, false]),
            (P::PlanWork, [true, true, false, false, false]),
            (P::AnswerForOrg, [true, false, false, true, false]),
            (P::ReviewAssignment, [true, true, false, false, false]),
            (P::Inspect, [true, true, true, false, false]),
            (P::RecordFinding, [true, true, true, true, false]),
            (P::VerifyRectification, [true, false, true, false, false]),
            (P::DesignReportForms, [true, false, false, false, false]),
            (P::ManageProjects, [true, true, false, false, false]),
            (P::ManageCourses, [true, true, false, false, false]),
            (P::ManageCampaigns, [true, true, false, false, false]),
            (P::RecordCampaignWork, [true, true, false, true, false]),
            (P::ManageLiaisons, [true, false, false, false, false]),
            (P::RecordLiaisonWork, [true, true, false, false, false]),
            (P::ProposeCase, [true, true, false, true, false]),
            (P::PublishCase, [true, true, false, false, false]),
            (P::KeepChannels, [true, true, false, true, false]),
            (P::DesignAssessment, [true, false, false, false, false]),
            (P::ScoreAssessment, [true, true, false, false, false]),
            (P::ViewScreen, [true, true, false, false, true]),
        ];
        assert_eq!(rows.len(), Permission::ALL.len());
        for (p, cells) in rows {
            for (role, want) in [Admin, Committee, Inspector, Branch, Viewer]
                .into_iter()
                .zip(cells)
            {
                assert_eq!(allows(role, p), want, "{role:?} × {p:?}");
                assert_eq!(check(role, p).is_ok(), want);
            }
        }
        // a viewer never writes (its one other permission is reading the big screen)
        assert!(Permission::ALL
            .iter()
            .filter(|p| !matches!(p, P::OwnAccount | P::ViewScreen))
            .all(|p| !allows(Viewer, *p)));
    }
}
