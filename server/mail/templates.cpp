#include "server/mail/templates.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "server/api/clock.h"

namespace helpline::server::mail {
namespace {

/// One language's sentences. Placeholders are named: {number}, {subject}, {group}, {by},
/// {requester}, {priority}, {link}, {name}, {until}.
struct Strings {
    const char* tag;
    const char* assigned_subject;
    const char* group_subject;
    const char* new_subject;
    const char* assigned_intro;      ///< {by}
    const char* assigned_intro_anon;
    const char* group_intro;         ///< {group}, {by}
    const char* group_intro_anon;    ///< {group}
    const char* new_intro;           ///< {group}
    const char* ticket_label;
    const char* requester_label;
    const char* priority_label;
    const char* group_label;
    const char* subject_label;
    const char* no_subject;
    const char* description_label;
    const char* open_link;
    const char* priorities[4];  ///< low, medium, high, urgent
    const char* invite_subject;
    const char* invite_body;  ///< {name}, {link}, {until}
    const char* footer;
};

// TRANSLATORS: pt is European Portuguese, pt_BR Brazilian; the ticket words follow the
// console's ("Pedido n.º", "Chamado nº", "Richiesta n.").
constexpr Strings kEnglish = {
    "en",
    "Ticket #{number} assigned to you ({priority}): {subject}",
    "Ticket #{number} for {group} ({priority}): {subject}",
    "New ticket #{number} in {group} ({priority}): {subject}",
    "{by} assigned this ticket to you.",
    "This ticket was assigned to you.",
    "{by} assigned this ticket to {group}, a group of yours.",
    "This ticket was assigned to {group}, a group of yours.",
    "A customer opened this ticket in {group}, a group of yours.",
    "Ticket",
    "Requester",
    "Priority",
    "Group",
    "Subject",
    "(no subject)",
    "The customer wrote",
    "Open it in the console:",
    {"low", "medium", "high", "urgent"},
    "Your Helpline account",
    "Hello {name},\n\nan account was made for you on the team's Helpline console. Choose your "
    "password here:\n\n{link}\n\nThe link works once, until {until} (UTC).",
    "You get this email because email notifications are on in your Helpline account.",
};

constexpr Strings kPortuguese = {
    "pt",
    "Pedido n.º {number} atribuído a si ({priority}): {subject}",
    "Pedido n.º {number} para {group} ({priority}): {subject}",
    "Novo pedido n.º {number} em {group} ({priority}): {subject}",
    "{by} atribuiu-lhe este pedido.",
    "Este pedido foi-lhe atribuído.",
    "{by} atribuiu este pedido a {group}, um grupo seu.",
    "Este pedido foi atribuído a {group}, um grupo seu.",
    "Um cliente abriu este pedido em {group}, um grupo seu.",
    "Pedido",
    "Requerente",
    "Prioridade",
    "Grupo",
    "Assunto",
    "(sem assunto)",
    "O cliente escreveu",
    "Abra-o na consola:",
    {"baixa", "média", "alta", "urgente"},
    "A sua conta Helpline",
    "Olá, {name}:\n\nfoi criada uma conta para si na consola Helpline da equipa. Escolha a sua "
    "palavra-passe aqui:\n\n{link}\n\nA ligação funciona uma vez, até {until} (UTC).",
    "Recebe este email porque as notificações por email estão ativas na sua conta Helpline.",
};

constexpr Strings kBrazilian = {
    "pt-BR",
    "Chamado nº {number} atribuído a você ({priority}): {subject}",
    "Chamado nº {number} para {group} ({priority}): {subject}",
    "Novo chamado nº {number} em {group} ({priority}): {subject}",
    "{by} atribuiu este chamado a você.",
    "Este chamado foi atribuído a você.",
    "{by} atribuiu este chamado a {group}, um grupo seu.",
    "Este chamado foi atribuído a {group}, um grupo seu.",
    "Um cliente abriu este chamado em {group}, um grupo seu.",
    "Chamado",
    "Solicitante",
    "Prioridade",
    "Grupo",
    "Assunto",
    "(sem assunto)",
    "O cliente escreveu",
    "Abra no console:",
    {"baixa", "média", "alta", "urgente"},
    "Sua conta no Helpline",
    "Olá, {name}!\n\nUma conta foi criada para você no console Helpline da equipe. Escolha sua "
    "senha aqui:\n\n{link}\n\nO link funciona uma vez, até {until} (UTC).",
    "Você recebe este email porque as notificações por email estão ativadas na sua conta Helpline.",
};

constexpr Strings kItalian = {
    "it",
    "Richiesta n. {number} assegnata a te ({priority}): {subject}",
    "Richiesta n. {number} per {group} ({priority}): {subject}",
    "Nuova richiesta n. {number} in {group} ({priority}): {subject}",
    "{by} ti ha assegnato questa richiesta.",
    "Questa richiesta è stata assegnata a te.",
    "{by} ha assegnato questa richiesta a {group}, un tuo gruppo.",
    "Questa richiesta è stata assegnata a {group}, un tuo gruppo.",
    "Un cliente ha aperto questa richiesta in {group}, un tuo gruppo.",
    "Richiesta",
    "Richiedente",
    "Priorità",
    "Gruppo",
    "Oggetto",
    "(senza oggetto)",
    "Il cliente ha scritto",
    "Aprila nella console:",
    {"bassa", "media", "alta", "urgente"},
    "Il tuo account Helpline",
    "Ciao {name},\n\nè stato creato un account per te nella console Helpline del team. Scegli la "
    "tua password qui:\n\n{link}\n\nIl link funziona una sola volta, fino al {until} (UTC).",
    "Ricevi questa email perché le notifiche via email sono attive nel tuo account Helpline.",
};

const Strings& strings_for(const std::string& language) {
    if (language == "pt") return kPortuguese;
    if (language == "pt_BR") return kBrazilian;
    if (language == "it") return kItalian;
    return kEnglish;
}

std::string text_of(const nlohmann::json& data, const char* key) {
    const auto it = data.find(key);
    return it != data.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

/// At most `limit` characters of `text` (UTF-8), with "…" when cut.
std::string cut(const std::string& text, std::size_t limit) {
    std::size_t chars = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;
        if (chars++ == limit) return text.substr(0, i) + "…";
    }
    return text;
}

/// The customer's text as lines of plain text: line breaks kept, other control characters
/// (escape sequences for terminals, form feeds, …) dropped.
std::string plain(const std::string& text) {
    std::string out;
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '\n' || c == '\t' || u >= 0x20) {
            if (u != 0x7F) out += c;
        }
    }
    return out;
}

std::string one_line(const std::string& text) {
    std::string out = plain(text);
    for (char& c : out)
        if (c == '\n' || c == '\t') c = ' ';
    return out;
}

const char* priority_name(const Strings& s, const std::string& priority) {
    if (priority == "low") return s.priorities[0];
    if (priority == "high") return s.priorities[2];
    if (priority == "urgent") return s.priorities[3];
    return s.priorities[1];
}

MailText ticket_text(const OutboxMail& mail, const Strings& s, const nlohmann::json& data,
                     const std::string& public_url) {
    const auto number = data.value("number", mail.ticket_number.value_or(0));
    const std::string subject_line = one_line(text_of(data, "subject"));
    const std::string shown_subject = subject_line.empty() ? s.no_subject : cut(subject_line, 80);
    const std::string group = one_line(text_of(data, "group"));
    const std::string by = one_line(text_of(data, "by"));
    const std::string priority = priority_name(s, text_of(data, "priority"));
    const std::string link = fmt::format("{}/console/#/tickets/{}", public_url, number);
    const auto args = fmt::make_format_args(fmt::arg("number", number), fmt::arg("subject", shown_subject),
                                            fmt::arg("group", group), fmt::arg("by", by),
                                            fmt::arg("priority", priority));
    MailText t;
    const char* subject_format = mail.kind == MailKind::ticket_assigned ? s.assigned_subject
                                 : mail.kind == MailKind::ticket_group  ? s.group_subject
                                                                        : s.new_subject;
    const char* intro = mail.kind == MailKind::ticket_assigned ? (by.empty() ? s.assigned_intro_anon : s.assigned_intro)
                        : mail.kind == MailKind::ticket_group  ? (by.empty() ? s.group_intro_anon : s.group_intro)
                                                               : s.new_intro;
    t.subject = fmt::vformat(subject_format, args);
    std::string requester = text_of(data, "requester");
    if (const auto org = text_of(data, "organization"); !org.empty()) requester += " (" + one_line(org) + ")";
    std::string& b = t.body;
    b += fmt::vformat(intro, args) + "\n\n";
    b += fmt::format("{}: #{}\n", s.ticket_label, number);
    b += fmt::format("{}: {}\n", s.requester_label, requester);
    b += fmt::format("{}: {}\n", s.priority_label, priority);
    if (!group.empty()) b += fmt::format("{}: {}\n", s.group_label, group);
    b += fmt::format("{}: {}\n", s.subject_label, subject_line.empty() ? s.no_subject : subject_line);
    if (const auto description = plain(text_of(data, "description")); !description.empty())
        b += fmt::format("\n{}:\n\n{}\n", s.description_label, cut(description, 2000));
    b += fmt::format("\n{}\n{}\n\n-- \n{}\n", s.open_link, link, s.footer);
    return t;
}

MailText invitation_text(const Strings& s, const nlohmann::json& data, const std::string& public_url) {
    const std::string link = fmt::format("{}/console/#/invite/{}", public_url, text_of(data, "token"));
    const Timestamp until = data.value("expires_at", Timestamp{0});
    std::string when = format_time(until);  // 2026-12-08T07:44:59Z
    if (when.size() >= 16) when = when.substr(0, 10) + " " + when.substr(11, 5);
    MailText t;
    t.subject = s.invite_subject;
    t.body = fmt::format(fmt::runtime(s.invite_body), fmt::arg("name", one_line(text_of(data, "name"))),
                         fmt::arg("link", link), fmt::arg("until", when)) +
             "\n";
    return t;
}

}  // namespace

std::string language_tag(const std::string& language) { return strings_for(language).tag; }

MailText compose_text(const OutboxMail& mail, const std::string& public_url) {
    const Strings& s = strings_for(mail.language);
    auto data = nlohmann::json::parse(mail.data, nullptr, false);
    if (!data.is_object()) data = nlohmann::json::object();
    if (mail.kind == MailKind::invitation) return invitation_text(s, data, public_url);
    return ticket_text(mail, s, data, public_url);
}

}  // namespace helpline::server::mail
