#include "client/gui/conversation_words.h"

#include <ctime>

#include "client/core/api_client.h"
#include "client/core/my_requests.h"
#include "client/core/server_endpoint.h"
#include "client/gui/i18n.h"
#include "client/gui/platform.h"

namespace helpline::gui {
namespace {

/// The months, for xgettext; the client sets no C locale (the customer's language is the
/// catalogs', which the computer may not have as a locale), so it names them itself.
const char* const kMonths[] = {
    HL_N_("January"),   HL_N_("February"), HL_N_("March"),    HL_N_("April"),
    HL_N_("May"),       HL_N_("June"),     HL_N_("July"),     HL_N_("August"),
    HL_N_("September"), HL_N_("October"),  HL_N_("November"), HL_N_("December"),
};

std::tm local_tm(std::chrono::system_clock::time_point t) {
    return platform::local_time(std::chrono::system_clock::to_time_t(t));
}

bool same_day(const std::tm& a, const std::tm& b) {
    return a.tm_year == b.tm_year && a.tm_yday == b.tm_yday;
}

/// One decimal place, with the language's separator.
std::string one_decimal(double value) {
    const auto tenths = static_cast<long long>(value * 10.0 + 0.5);
    // TRANSLATORS: a number with one decimal, as in sizes like "3.4 KiB": keep both
    // placeholders and put your language's decimal separator between them.
    return fmt::format(fmt::runtime(translate(HL_N_("{units}.{tenths}"))),
                       fmt::arg("units", tenths / 10), fmt::arg("tenths", tenths % 10));
}

}  // namespace

wxString time_words(const std::string& utc, std::chrono::system_clock::time_point now) {
    const auto when = client::parse_utc(utc);
    if (!when) return {};
    const std::tm t = local_tm(*when);
    const std::tm today = local_tm(now);
    const std::string time = fmt::format("{:02}:{:02}", t.tm_hour, t.tm_min);
    if (same_day(t, today))
        // TRANSLATORS: when a message was written today; {time} is like 16:42.
        return tr("Today, {time}", fmt::arg("time", time));
    if (same_day(t, local_tm(now - std::chrono::hours(24))))
        return tr("Yesterday, {time}", fmt::arg("time", time));
    const wxString month = tr(kMonths[t.tm_mon]);
    // TRANSLATORS: a date and time, "6 December 2026, 16:42"; {month} is a month's name.
    return tr("{day} {month} {year}, {time}", fmt::arg("day", t.tm_mday),
              fmt::arg("month", std::string(month.utf8_str())), fmt::arg("year", t.tm_year + 1900),
              fmt::arg("time", time));
}

wxString size_words(std::uint64_t bytes) {
    constexpr double kKiB = 1024.0;
    if (bytes < 1024) return tr("{count} bytes", fmt::arg("count", bytes));
    if (bytes < 1024 * 1024)
        return tr("{size} KiB", fmt::arg("size", one_decimal(static_cast<double>(bytes) / kKiB)));
    return tr("{size} MiB",
              fmt::arg("size", one_decimal(static_cast<double>(bytes) / (kKiB * kKiB))));
}

wxString author_words(const client::Message& message) {
    if (!message.from_team()) return tr("You");
    if (message.author_name.empty()) return tr("The support team");
    // TRANSLATORS: the author of an answer: an operator's name.
    return tr("{name} (support team)", fmt::arg("name", message.author_name));
}

wxString refused_file_text(const client::RefusedAttachment& r) {
    using Reason = client::RefusedAttachment::Reason;
    const std::string name = r.name.empty() ? r.path.filename().string() : r.name;
    const std::string size = std::string(size_words(r.size).utf8_str());
    const std::string limit = std::string(size_words(r.limit).utf8_str());
    switch (r.reason) {
        case Reason::unreadable:
            return tr(
                "\u201c{name}\u201d cannot be read: it is not there any more, or it is not "
                "a file you may open.",
                fmt::arg("name", name));
        case Reason::duplicate:
            return tr("\u201c{name}\u201d is already attached.", fmt::arg("name", name));
        case Reason::too_big:
            return tr("\u201c{name}\u201d is {size}; one file may be at most {limit}.",
                      fmt::arg("name", name), fmt::arg("size", size), fmt::arg("limit", limit));
        case Reason::too_many:
            if (r.limit == 0)
                return tr(
                    "\u201c{name}\u201d cannot be attached: this support team does not take "
                    "attached files.",
                    fmt::arg("name", name));
            return tr(
                "\u201c{name}\u201d is one file too many: at most {count} files can be sent "
                "at once.",
                fmt::arg("name", name), fmt::arg("count", r.limit));
        case Reason::over_total:
            return tr(
                "\u201c{name}\u201d ({size}) would make the files larger than {limit}, the "
                "most that can be sent at once.",
                fmt::arg("name", name), fmt::arg("size", size), fmt::arg("limit", limit));
    }
    return {};
}

wxString reply_problem_text(const wxString& text, bool with_files) {
    const std::string body(text.utf8_str());
    const std::string problem = client::check_reply_text(body, with_files);
    if (problem.empty()) return {};
    constexpr std::size_t kMax = 10'000;
    if (text.length() > kMax)
        return tr("Too long: at most {max} characters, this one has {count}.",
                  fmt::arg("max", kMax), fmt::arg("count", text.length()));
    wxString trimmed = text;
    trimmed.Trim(true).Trim(false);
    if (trimmed.empty() && !with_files) return tr("Please write your reply, or attach a file.");
    return tr("This reply cannot be sent as it is. Please change it and try again.");
}

wxString conversation_problem_text(const Error& error) {
    namespace ce = client::conversation_error;
    // The server's own sentence: it tells the customer what to do (send a new request).
    if (error.code == ce::kClosed) return wxString::FromUTF8(error.message);
    if (error.code == ce::kNotFound)
        return tr("This request is not one of this computer's requests.");
    if (error.code == ce::kRemoved)
        return tr(
            "This file is no longer on the support server: files of closed requests are "
            "removed after a while.");
    if (error.code == client::net_error::kTls)
        return tr(
            "The identity of the support server could not be verified, so no connection "
            "was made.");
    if (error.code.rfind("net.", 0) == 0)
        return tr("The support server cannot be reached right now.");
    if (error.code.rfind("transfer.", 0) == 0 || error.code.rfind("io.", 0) == 0)
        return tr("The file could not be saved on this computer. The log (see About) says why.");
    return tr(
        "The support server could not answer. Please try again later; the log (see "
        "About) says why.");
}

}  // namespace helpline::gui
