//! Who may do what: the one place where roles are checked. Handlers ask
//! [`allowed`]`(role, action)` and nothing else decides.

use postguard_store::Role;

/// Something a signed-in user asks to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Check a text without storing it (`POST /api/v1/check`).
    Check,
    /// Submit, edit and resubmit one's own drafts; see their findings and history.
    SubmitDraft,
    /// See any draft and its full history, including reviewers' private notes.
    ViewAnyDraft,
    /// Work the review queue: approve, reject, request changes.
    Review,
    /// Put a post under legal hold or release it.
    LegalHold,
    /// Read and export the audit log and post histories.
    Audit,
    /// Create users, change roles, disable accounts.
    ManageUsers,
    /// Create and revoke API tokens for oneself.
    ManageOwnTokens,
}

/// Whether `role` may do `action`.
pub fn allowed(role: Role, action: Action) -> bool {
    use Action::*;
    use Role::*;
    match action {
        Check | SubmitDraft | ManageOwnTokens => true,
        ViewAnyDraft | Review => matches!(role, Reviewer | Compliance | Admin),
        LegalHold | Audit => matches!(role, Compliance | Admin),
        ManageUsers => role == Admin,
    }
}

/// Roles that must sign in with a second factor.
pub fn needs_two_factor(role: Role) -> bool {
    role != Role::Staff
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_role_matrix() {
        use Action::*;
        let table = [
            // action, staff, reviewer, compliance, admin
            (Check, [true, true, true, true]),
            (SubmitDraft, [true, true, true, true]),
            (ManageOwnTokens, [true, true, true, true]),
            (ViewAnyDraft, [false, true, true, true]),
            (Review, [false, true, true, true]),
            (LegalHold, [false, false, true, true]),
            (Audit, [false, false, true, true]),
            (ManageUsers, [false, false, false, true]),
        ];
        for (action, expected) in table {
            for (role, want) in [Role::Staff, Role::Reviewer, Role::Compliance, Role::Admin]
                .into_iter()
                .zip(expected)
            {
                assert_eq!(allowed(role, action), want, "{role} {action:?}");
            }
        }
        assert!(!needs_two_factor(Role::Staff));
        assert!(needs_two_factor(Role::Reviewer) && needs_two_factor(Role::Admin));
    }
}
