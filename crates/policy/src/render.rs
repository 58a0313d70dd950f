//! The staff-facing guidelines document, generated from the policy so the two never disagree.

use crate::Policy;
use std::fmt::Write;

/// Renders the guidelines document as Markdown.
pub fn render_guidelines(policy: &Policy) -> String {
    let mut out = String::new();
    let meta = &policy.policy;
    let _ = writeln!(out, "# {}\n", meta.name);
    let _ = writeln!(
        out,
        "Version {} · effective {} · next review {} · owner {}, {}\n",
        meta.version, meta.effective, meta.next_review, meta.owner.name, meta.owner.role
    );
    let org = &policy.organization;
    if !policy.official_accounts.is_empty() {
        let _ = writeln!(out, "## Official accounts of {}\n", org.name);
        for account in &policy.official_accounts {
            let _ = writeln!(
                out,
                "- **{}** on {}: {}",
                account.handle, account.platform, account.purpose
            );
        }
        if !org.hashtags.is_empty() {
            let _ = writeln!(out, "\nOfficial hashtags: {}", org.hashtags.join(" "));
        }
        let _ = writeln!(out);
    }
    for section in &policy.sections {
        let _ = writeln!(out, "## {}\n", section.title);
        let _ = writeln!(out, "*{}*\n", section.summary.trim());
        let _ = writeln!(out, "{}\n", section.body.trim());
        if !section.dos.is_empty() {
            let _ = writeln!(out, "**Do**\n");
            for line in &section.dos {
                let _ = writeln!(out, "- {line}");
            }
            let _ = writeln!(out);
        }
        if !section.dont.is_empty() {
            let _ = writeln!(out, "**Don't**\n");
            for line in &section.dont {
                let _ = writeln!(out, "- {line}");
            }
            let _ = writeln!(out);
        }
    }
    let _ = writeln!(out, "## The disclaimer\n\n> {}\n", policy.disclaimer.text);
    let contact = &policy.contact;
    let _ = writeln!(
        out,
        "## Questions\n\n{} ({}), {}{}.",
        contact.name,
        contact.role,
        contact.email,
        contact
            .phone
            .as_deref()
            .map(|p| format!(", {p}"))
            .unwrap_or_default()
    );
    out
}
