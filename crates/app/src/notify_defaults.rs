//! The notification rules and templates every account starts with (N1, N5): a status notice, the
//! timeout reassurance at the learned warning threshold, the resolution notice to the customer and
//! the agent, a progress-marker notice, and the agent's SLA warning. All editable.

use serde_json::json;
use yingke_core::notify::{Medium, NoticeKind};
use yingke_store::notify::TemplateWrite;

use crate::notify::RuleSpec;

fn rule(
    name: &str,
    trigger: &str,
    kind: NoticeKind,
    recipients: &[&str],
    template: &str,
    media: &[Medium],
) -> RuleSpec {
    RuleSpec {
        name: name.into(),
        trigger: trigger.into(),
        to_kinds: Vec::new(),
        metrics: Vec::new(),
        notice_kind: kind,
        conditions: json!({"all": []}),
        recipients: recipients.iter().map(|s| (*s).to_owned()).collect(),
        group_channels: Vec::new(),
        template: template.into(),
        media: media.to_vec(),
        important: false,
        attach_files: false,
    }
}

pub(crate) fn rules() -> Vec<RuleSpec> {
    let customer = [Medium::InApp, Medium::Email, Medium::Sms];
    let mut status = rule(
        "状态变更通知",
        "ticket_status_changed",
        NoticeKind::Status,
        &["customer"],
        "ticket_status",
        &customer,
    );
    status.to_kinds = vec!["open".into(), "pending".into()];
    let mut timeout = rule(
        "超时安抚提醒",
        "ticket_sla_warning",
        NoticeKind::Timeout,
        &["customer"],
        "ticket_timeout",
        &[Medium::InApp, Medium::Sms, Medium::Email],
    );
    timeout.metrics = vec!["resolution".into()];
    let mut agent_warning = rule(
        "SLA 预警（处理人）",
        "ticket_sla_warning",
        NoticeKind::Timeout,
        &["assignee"],
        "agent_sla_warning",
        &[Medium::InApp],
    );
    agent_warning.metrics = Vec::new();
    let mut all = vec![
        status,
        timeout,
        rule(
            "解决通知",
            "ticket_resolved",
            NoticeKind::Resolution,
            &["customer", "assignee"],
            "ticket_resolved",
            &customer,
        ),
        rule(
            "进度标记通知",
            "ticket_marker_added",
            NoticeKind::Marker,
            &["customer"],
            "ticket_marker",
            &customer,
        ),
        agent_warning,
    ];
    // The customer's progress, resolution and marker e-mails carry the files an agent's reply
    // gave them (once each); the timeout reassurance is only words.
    for r in &mut all {
        r.attach_files =
            r.recipients.iter().any(|x| x == "customer") && r.trigger != "ticket_sla_warning";
    }
    all
}

/// `(key, locale, audience, subject, body)`.
const TEMPLATES: &[(&str, &str, &str, &str, &str)] = &[
    (
        "ticket_status",
        "zh-CN",
        "individual",
        "您的工单 {{ ticket.number }} 状态更新：{{ ticket.status }}",
        "{{ contact.name or '您' }}好，您的工单 {{ ticket.number }}（{{ ticket.title }}）现在是「{{ ticket.status }}」。{% if ticket.eta %}预计 {{ ticket.eta }} 前处理完成。{% endif %}查看进度：{{ ticket.link }}",
    ),
    (
        "ticket_status",
        "zh-CN",
        "enterprise",
        "工单ID-{{ ticket.number }} 状态通知",
        "尊敬的客户：工单ID-{{ ticket.number }}已进入「{{ ticket.status }}」阶段。{% if ticket.eta %}预计完成时间：{{ ticket.eta }}。{% endif %}详情：{{ ticket.link }}",
    ),
    (
        "ticket_status",
        "en",
        "any",
        "Ticket {{ ticket.number }}: {{ ticket.status }}",
        "Hello {{ contact.name or 'there' }}, your ticket {{ ticket.number }} ({{ ticket.title }}) is now \"{{ ticket.status }}\".{% if ticket.eta %} Expected by {{ ticket.eta }}.{% endif %} Track it: {{ ticket.link }}",
    ),
    (
        "ticket_timeout",
        "zh-CN",
        "any",
        "您的工单 {{ ticket.number }} 正在加速处理中",
        "您的工单 {{ ticket.number }} 正在加速处理中，我们将优先处理，请您耐心等待。{% if ticket.eta %}预计 {{ ticket.eta }} 前完成。{% endif %}",
    ),
    (
        "ticket_timeout",
        "en",
        "any",
        "We are speeding up ticket {{ ticket.number }}",
        "Your ticket {{ ticket.number }} is taking longer than usual; we are giving it priority.{% if ticket.eta %} Expected by {{ ticket.eta }}.{% endif %}",
    ),
    (
        "ticket_resolved",
        "zh-CN",
        "individual",
        "您的工单 {{ ticket.number }} 已解决",
        "{{ contact.name or '您' }}好，您的工单 {{ ticket.number }}（{{ ticket.title }}）已解决{% if agent.name %}，处理人：{{ agent.name }}{% endif %}。如仍有问题，直接回复即可。查看详情：{{ ticket.link }}",
    ),
    (
        "ticket_resolved",
        "zh-CN",
        "enterprise",
        "工单ID-{{ ticket.number }} 已处理完毕",
        "尊敬的客户：工单ID-{{ ticket.number }}已处理完毕{% if ticket.fault_level %}（{{ ticket.fault_level }}故障）{% endif %}。处理报告见：{{ ticket.link }}",
    ),
    (
        "ticket_resolved",
        "en",
        "any",
        "Ticket {{ ticket.number }} is resolved",
        "Your ticket {{ ticket.number }} ({{ ticket.title }}) is resolved. Reply if anything is still wrong. Details: {{ ticket.link }}",
    ),
    (
        "ticket_marker",
        "zh-CN",
        "any",
        "工单 {{ ticket.number }} 进展：{{ marker }}",
        "您的工单 {{ ticket.number }} 有新进展：{{ marker }}。{% if ticket.tracking_number %}物流单号：{{ ticket.tracking_number }}。{% endif %}查看：{{ ticket.link }}",
    ),
    (
        "ticket_marker",
        "en",
        "any",
        "Ticket {{ ticket.number }}: {{ marker }}",
        "Update on your ticket {{ ticket.number }}: {{ marker }}.{% if ticket.tracking_number %} Tracking number: {{ ticket.tracking_number }}.{% endif %} {{ ticket.link }}",
    ),
    (
        "agent_sla_warning",
        "zh-CN",
        "any",
        "SLA 预警：工单 {{ ticket.number }}",
        "你负责的工单 {{ ticket.number }}（{{ ticket.title }}，{{ ticket.priority }}）即将超时{% if ticket.eta %}，截止 {{ ticket.eta }}{% endif %}，请优先处理。",
    ),
    (
        "agent_sla_warning",
        "en",
        "any",
        "SLA warning: ticket {{ ticket.number }}",
        "Your ticket {{ ticket.number }} ({{ ticket.title }}, {{ ticket.priority }}) is close to its SLA{% if ticket.eta %}, due {{ ticket.eta }}{% endif %}.",
    ),
];

pub(crate) fn templates() -> Vec<TemplateWrite<'static>> {
    let mut out: Vec<TemplateWrite<'static>> = TEMPLATES
        .iter()
        .map(|(key, locale, audience, subject, body)| TemplateWrite {
            key,
            locale,
            audience,
            category_id: 0,
            medium: "any",
            subject,
            body,
        })
        .collect();
    // SMS is short: no link-heavy prose.
    out.push(TemplateWrite {
        key: "ticket_timeout",
        locale: "zh-CN",
        audience: "any",
        category_id: 0,
        medium: "sms",
        subject: "",
        body: "您的工单{{ ticket.number }}正在加速处理中，我们将优先处理。",
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_rules_and_templates_are_valid() {
        for r in rules() {
            r.validate().expect("a valid default rule");
            assert!(
                templates().iter().any(|t| t.key == r.template),
                "{}",
                r.template
            );
        }
        for t in templates() {
            yingke_core::notice_template::check(t.subject).expect("subject");
            yingke_core::notice_template::check(t.body).expect("body");
        }
    }
}
