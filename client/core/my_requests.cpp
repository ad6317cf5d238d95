#include "client/core/my_requests.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>

#include "shared/file_io.h"

namespace helpline::client {
namespace {

namespace fs = std::filesystem;

/// How much of the end of requests.log is searched for an already recorded key; a resend
/// happens right after the first recording, so the tail is enough and stays cheap.
constexpr std::uint64_t kDedupWindow = 4 * 1024 * 1024;
constexpr std::uint64_t kMaxLogRead = 64 * 1024 * 1024;

Error log_error(const fs::path& file, const Error& e) {
    return make_error("io.log", e.message, file.string());
}

/// Up to `max` bytes from `offset`; a read error ends the text early.
std::string read_from(File& file, std::uint64_t offset, std::uint64_t max) {
    std::string text;
    std::uint8_t buffer[65536];
    while (text.size() < max) {
        auto n = file.read_at(buffer, offset);
        if (!n || *n == 0) break;
        text.append(as_string(ByteView(buffer, *n)));
        offset += *n;
    }
    return text;
}

std::string text_field(const nlohmann::json& j, const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

// UTC by std::chrono's calendar, the same on every platform (Windows has neither gmtime_r nor
// timegm).
std::string format_utc(std::chrono::system_clock::time_point t) {
    using namespace std::chrono;
    const auto s = time_point_cast<seconds>(t);  // truncated, as to_time_t() does
    const auto day = floor<days>(s);
    const year_month_day date(day);
    const hh_mm_ss time(s - day);
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", static_cast<int>(date.year()),
                       static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                       time.hours().count(), time.minutes().count(), time.seconds().count());
}

std::optional<std::chrono::system_clock::time_point> parse_utc(std::string_view text) {
    using namespace std::chrono;
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
    char tail = 0;
    const std::string copy(text);
    if (std::sscanf(copy.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%c", &y, &mo, &d, &h, &mi, &s, &tail) !=
            7 ||
        tail != 'Z')
        return std::nullopt;
    // Fields out of their range carry over, as timegm() has them: month 13 is January of the
    // year after, day 0 the last of the month before.
    const int months = y * 12 + (mo - 1);
    const int whole_years = months >= 0 ? months / 12 : (months - 11) / 12;
    const sys_days first =
        year(whole_years) / month(static_cast<unsigned>(months - whole_years * 12 + 1)) / 1;
    return system_clock::time_point(first + days(d - 1) + hours(h) + minutes(mi) + seconds(s));
}

nlohmann::json LoggedRequest::to_json() const {
    nlohmann::json j = {{"at", at}, {"key", key}, {"result", result}, {"request", request}};
    if (result == "created") {
        j["number"] = number;
        j["created_at"] = created_at;
    } else {
        j["detail"] = detail;
        auto& list = j["errors"] = nlohmann::json::array();
        for (const auto& e : errors) list.push_back({{"field", e.field}, {"message", e.message}});
    }
    return j;
}

std::optional<LoggedRequest> LoggedRequest::from_json(const nlohmann::json& j) {
    if (!j.is_object()) return std::nullopt;
    LoggedRequest r;
    r.at = text_field(j, "at");
    r.key = text_field(j, "key");
    r.result = text_field(j, "result");
    if (r.key.empty() || (r.result != "created" && r.result != "refused")) return std::nullopt;
    if (auto it = j.find("number"); it != j.end() && it->is_number_integer())
        r.number = it->get<std::int64_t>();
    r.created_at = text_field(j, "created_at");
    r.detail = text_field(j, "detail");
    if (auto it = j.find("request"); it != j.end() && it->is_object()) r.request = *it;
    if (auto it = j.find("errors"); it != j.end() && it->is_array())
        for (const auto& e : *it)
            if (e.is_object())
                r.errors.push_back({text_field(e, "field"), text_field(e, "message")});
    return r;
}

Status RequestLog::record(const LoggedRequest& entry) const {
    // Appended (each write lands at the end) and readable, for the search below.
    auto log = File::open_read_append(file_, 0600);
    if (!log) return log_error(file_, log.error());
    if (auto locked = log->lock(FileLock::exclusive); !locked)
        return log_error(file_, locked.error());
    auto size = log->size();
    if (!size) return log_error(file_, size.error());
    const std::uint64_t from = *size > kDedupWindow ? *size - kDedupWindow : 0;
    const std::string tail = read_from(*log, from, kDedupWindow);
    const std::string needle = "\"key\":" + nlohmann::json(entry.key).dump();
    if (tail.find(needle) != std::string::npos) return Ok{};

    // The file may end without a newline if a writer died mid-line; start on a fresh line.
    const std::string line =
        (tail.empty() || tail.back() == '\n' ? "" : "\n") + entry.to_json().dump() + "\n";
    if (auto written = log->write_all(as_bytes(line)); !written)
        return log_error(file_, written.error());
    if (auto synced = log->sync(); !synced) return log_error(file_, synced.error());
    return Ok{};
}

std::vector<LoggedRequest> RequestLog::read() const {
    std::vector<LoggedRequest> out;
    auto log = File::open_read(file_);
    if (!log || !log->lock(FileLock::shared)) return out;
    const std::string text = read_from(*log, 0, kMaxLogRead);
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        const auto j = nlohmann::json::parse(std::string_view(text).substr(start, end - start),
                                             nullptr, false);
        if (auto r = LoggedRequest::from_json(j)) out.push_back(std::move(*r));
        start = end + 1;
    }
    return out;
}

Result<std::vector<MyRequest>> parse_my_tickets(const nlohmann::json& answer) {
    auto list = answer.is_object() ? answer.find("tickets") : answer.end();
    if (!answer.is_object() || list == answer.end() || !list->is_array())
        return make_error("api.bad_answer",
                          "The support server's list of your requests could not be read.");
    std::vector<MyRequest> out;
    for (const auto& t : *list) {
        if (!t.is_object() || !t.contains("number") || !t["number"].is_number_integer()) continue;
        MyRequest r;
        r.number = t["number"].get<std::int64_t>();
        r.status = text_field(t, "status");
        r.priority = text_field(t, "priority");
        r.group = text_field(t, "group");
        r.operator_name = text_field(t, "operator_name");
        r.subject = text_field(t, "subject");
        r.created_at = text_field(t, "created_at");
        r.closed_at = text_field(t, "closed_at");
        if (const auto u = t.find("unread"); u != t.end() && u->is_number_integer())
            r.unread =
                static_cast<int>(std::clamp<std::int64_t>(u->get<std::int64_t>(), 0, 1'000'000));
        out.push_back(std::move(r));
    }
    return out;
}

std::optional<std::chrono::seconds> waiting_time(const MyRequest& request,
                                                 std::chrono::system_clock::time_point now) {
    const auto created = parse_utc(request.created_at);
    if (!created) return std::nullopt;
    const auto until =
        request.closed_at.empty() ? std::optional(now) : parse_utc(request.closed_at);
    if (!until) return std::nullopt;
    return std::max(std::chrono::seconds(0),
                    std::chrono::duration_cast<std::chrono::seconds>(*until - *created));
}

std::string format_duration(std::chrono::seconds d) {
    const long long s = d.count();
    if (s < 60) return fmt::format("{} s", s);
    if (s < 3600) return fmt::format("{} min", s / 60);
    if (s < 86400) return fmt::format("{} h {:02} min", s / 3600, (s % 3600) / 60);
    return fmt::format("{} d {} h", s / 86400, (s % 86400) / 3600);
}

Status MyRequests::refresh(const ApiClient& api, int limit) {
    ApiRequest request;
    request.path = fmt::format("/api/v1/devices/me/tickets?limit={}", limit);
    auto reply = api.send(request);
    if (!reply) return reply.error();
    if (!reply->ok())
        return make_error("api.refused",
                          fmt::format("The support server did not list your requests: {}.",
                                      describe_rejection(*reply)));
    auto parsed = parse_my_tickets(reply->json);
    if (!parsed) return parsed.error();
    set(std::move(*parsed));
    return Ok{};
}

void MyRequests::set(std::vector<MyRequest> requests) {
    {
        std::lock_guard lock(mutex_);
        requests_ = std::move(requests);
    }
    changed();
}

bool MyRequests::apply_ticket_update(std::int64_t number, const std::string& status,
                                     const std::string& operator_name) {
    {
        std::lock_guard lock(mutex_);
        auto it = std::find_if(requests_.begin(), requests_.end(),
                               [&](const MyRequest& r) { return r.number == number; });
        if (it == requests_.end()) return false;
        if (it->status == status && it->operator_name == operator_name) return true;
        if (it->status == "open" && status != "open" && it->closed_at.empty())
            it->closed_at = format_utc(std::chrono::system_clock::now());
        if (status == "open") it->closed_at.clear();
        it->status = status;
        it->operator_name = operator_name;
    }
    changed();
    return true;
}

bool MyRequests::note_team_message(std::int64_t number) {
    {
        std::lock_guard lock(mutex_);
        auto it = std::find_if(requests_.begin(), requests_.end(),
                               [&](const MyRequest& r) { return r.number == number; });
        if (it == requests_.end()) return false;
        ++it->unread;
    }
    changed();
    return true;
}

void MyRequests::note_read(std::int64_t number) {
    {
        std::lock_guard lock(mutex_);
        auto it = std::find_if(requests_.begin(), requests_.end(),
                               [&](const MyRequest& r) { return r.number == number; });
        if (it == requests_.end() || it->unread == 0) return;
        it->unread = 0;
    }
    changed();
}

std::vector<MyRequest> MyRequests::snapshot() const {
    std::lock_guard lock(mutex_);
    return requests_;
}

void MyRequests::on_change(std::function<void()> listener) {
    std::lock_guard lock(mutex_);
    listener_ = std::move(listener);
}

void MyRequests::changed() {
    std::function<void()> listener;
    {
        std::lock_guard lock(mutex_);
        listener = listener_;
    }
    if (listener) listener();
}

}  // namespace helpline::client
