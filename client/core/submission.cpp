#include "client/core/submission.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "client/core/identity.h"
#include "shared/email.h"

namespace helpline::client {
namespace {

/// The server's limits (docs/protocol.md); the profile may lower the description's.
constexpr std::size_t kMaxSubject = 200;

std::string trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return std::string(s);
}

std::size_t utf8_length(std::string_view s) {
    return static_cast<std::size_t>(std::count_if(
        s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::string group_list(const Profile& profile) {
    std::string out;
    for (const auto& g : profile.assistance.groups) out += (out.empty() ? "" : ", ") + g.id;
    return out;
}

}  // namespace

PreparedTicket prepare_ticket(const TicketDraft& draft, const Profile& profile) {
    PreparedTicket out;
    out.body = nlohmann::json::object();
    const auto problem = [&out](std::string field, std::string message) {
        out.problems.push_back({std::move(field), std::move(message)});
    };
    const auto& rules = profile.assistance;
    if (!rules.enabled) {
        problem("",
                "this support team does not take requests through the client; contact them another "
                "way");
        return out;
    }

    const std::string email = trim(draft.email);
    if (email.empty())
        problem("email", "is required: the support team answers you there");
    else if (!is_valid_email(email))
        problem("email",
                fmt::format("\"{}\" is not a valid email address (like name@example.com)", email));
    else
        out.body["email"] = email;

    const std::string description = trim(draft.description);
    const auto limit =
        static_cast<std::size_t>(std::clamp(rules.max_description, 1, kMaxDescriptionLimit));
    if (description.empty())
        problem("description", "is required: describe the problem");
    else if (description.find('\0') != std::string::npos)
        problem("description", "must not contain NUL characters");
    else if (utf8_length(description) > limit)
        problem("description", fmt::format("is too long: at most {} characters, this one has {}",
                                           limit, utf8_length(description)));
    else
        out.body["description"] = description;

    std::string group = trim(draft.group);
    if (group.empty()) {
        if (rules.default_group)
            group = *rules.default_group;
        else if (rules.groups.size() == 1)
            group = rules.groups.front().id;
        else if (rules.groups.size() > 1)
            problem("group_id", fmt::format("is required: choose one of {}", group_list(profile)));
    } else if (std::none_of(rules.groups.begin(), rules.groups.end(),
                            [&](const ProfileGroup& g) { return g.id == group; })) {
        problem("group_id",
                rules.groups.empty()
                    ? fmt::format("\"{}\" is not a group of this team: it has none, leave it out",
                                  group)
                    : fmt::format("\"{}\" is not a group of this team; choose one of {}", group,
                                  group_list(profile)));
        group.clear();
    }
    if (!group.empty()) out.body["group_id"] = group;

    const std::string subject = trim(draft.subject);
    switch (rules.subject) {
        case SubjectMode::hidden:
            if (!subject.empty())
                problem("subject", "this team does not ask for a subject; leave it out");
            break;
        case SubjectMode::required:
            if (subject.empty()) problem("subject", "is required: a few words about the problem");
            [[fallthrough]];
        case SubjectMode::optional:
            if (utf8_length(subject) > kMaxSubject)
                problem("subject", fmt::format("is too long: at most {} characters", kMaxSubject));
            else if (subject.find('\0') != std::string::npos)
                problem("subject", "must not contain NUL characters");
            else if (!subject.empty())
                out.body["subject"] = subject;
            break;
    }

    const std::string priority = trim(draft.priority);
    if (!priority.empty()) {
        if (!rules.customer_sets_priority)
            problem("priority", "this team sets the priority itself; leave it out");
        else if (!parse_priority(priority))
            problem(
                "priority",
                fmt::format("\"{}\" is not a priority; use low, medium, high or urgent", priority));
        else
            out.body["priority"] = priority;
    }
    return out;
}

TicketPoster make_ticket_poster(ApiClient& api, ClientPaths paths, Profile profile,
                                std::string client_version) {
    return [&api, paths = std::move(paths), profile = std::move(profile),
            version = std::move(client_version)](
               const OutboxEntry& entry, std::chrono::milliseconds timeout) -> Result<ApiReply> {
        for (int round = 0;; ++round) {
            auto identity = ensure_registered(api, paths, profile, version);
            if (!identity) return identity.error();
            ApiRequest request;
            request.method = "POST";
            request.path = "/api/v1/tickets";
            request.body = entry.body;
            request.headers = {"Idempotency-Key: " + entry.key};
            request.timeout = timeout;
            auto reply = api.send(request);
            if (!reply || reply->status != 401 || round > 0) return reply;
            // The server no longer knows this device (its data was reset, or the device
            // was removed): register again and send the same request with the same key.
            (void)forget_identity(paths);
            api.set_token({});
        }
    };
}

OutboxTransport make_outbox_transport(ApiClient& api, ClientPaths paths, Profile profile,
                                      std::string client_version) {
    OutboxTransport transport;
    transport.post_ticket = make_ticket_poster(api, paths, profile, client_version);
    // A step is sent as registered; after a 401 (the server no longer knows this device)
    // the device registers again and the step is made once more. The new device does not
    // own the ticket, so the server then answers 404, which settles the entry.
    auto registered = [&api, paths = std::move(paths), profile = std::move(profile),
                       version = std::move(client_version)](
                          const std::function<Result<ApiReply>()>& step) -> Result<ApiReply> {
        for (int round = 0;; ++round) {
            auto identity = ensure_registered(api, paths, profile, version);
            if (!identity) return identity.error();
            auto reply = step();
            if (!reply || reply->status != 401 || round > 0) return reply;
            (void)forget_identity(paths);
            api.set_token({});
        }
    };
    transport.put_attachment = [&api, registered](std::int64_t number, const UploadFile& file,
                                                  std::chrono::milliseconds timeout) {
        // `timeout` bounds an upload's stalls, not its length; a slow line keeps 15 s.
        const auto stall = std::max(timeout, std::chrono::milliseconds(15'000));
        return registered([&] { return put_attachment(api, number, file, stall); });
    };
    transport.post_message = [&api, registered](const OutboxEntry& entry,
                                                const std::vector<std::int64_t>& ids,
                                                std::chrono::milliseconds timeout) {
        return registered([&] {
            return post_message(api, entry.reply_to, entry.key, entry.body.value("body", ""), ids,
                                timeout);
        });
    };
    return transport;
}

std::chrono::milliseconds RetrySchedule::failed(const std::string& key, Clock::time_point now,
                                                std::optional<std::chrono::seconds> retry_after) {
    auto it = entries_.find(key);
    if (it == entries_.end())
        it = entries_
                 .emplace(key, Entry{Backoff(options_.base, options_.cap, options_.floor,
                                             options_.seed + created_++),
                                     now})
                 .first;
    auto delay = it->second.backoff.next();
    if (retry_after) delay = std::max<std::chrono::milliseconds>(delay, *retry_after);
    it->second.due = now + delay;
    return delay;
}

bool RetrySchedule::due(const std::string& key, Clock::time_point now) const {
    auto it = entries_.find(key);
    return it == entries_.end() || it->second.due <= now;
}

std::optional<RetrySchedule::Clock::time_point> RetrySchedule::next_due() const {
    std::optional<Clock::time_point> first;
    for (const auto& [key, e] : entries_)
        if (!first || e.due < *first) first = e.due;
    return first;
}

void RetrySchedule::all_due_now() {
    const auto now = Clock::now();
    for (auto& [key, e] : entries_) e.due = std::min(e.due, now);
}

void RetrySchedule::keep_only(const std::vector<std::string>& keys) {
    for (auto it = entries_.begin(); it != entries_.end();) {
        if (std::find(keys.begin(), keys.end(), it->first) == keys.end())
            it = entries_.erase(it);
        else
            ++it;
    }
}

Submitter::Submitter(const Outbox& outbox, TicketPoster post, SubmitterOptions options)
    : Submitter(outbox, OutboxTransport{std::move(post), {}, {}}, options) {}

Submitter::Submitter(const Outbox& outbox, OutboxTransport transport, SubmitterOptions options)
    : outbox_(outbox),
      transport_(std::move(transport)),
      options_(options),
      schedule_(options.background) {}

Submitter::~Submitter() {
    stop();
}

Result<OutboxEntry> Submitter::save(nlohmann::json body) {
    auto entry = outbox_.add(std::move(body));
    if (entry) poke();
    return entry;
}

Result<OutboxEntry> Submitter::save(nlohmann::json body, const std::vector<AttachmentFile>& files) {
    auto entry = outbox_.add(std::move(body), files);
    if (entry) poke();
    return entry;
}

Result<OutboxEntry> Submitter::save_reply(std::int64_t number, const std::string& text,
                                          const std::vector<AttachmentFile>& files) {
    auto entry = outbox_.add_reply(number, text, files);
    if (entry) poke();
    return entry;
}

bool Submitter::claim(const std::string& key) {
    std::lock_guard lock(mutex_);
    return in_flight_.insert(key).second;
}

void Submitter::release(const std::string& key) {
    std::lock_guard lock(mutex_);
    in_flight_.erase(key);
}

Delivery Submitter::send_now(const OutboxEntry& entry, std::chrono::milliseconds wait) {
    using Clock = std::chrono::steady_clock;
    const auto deadline = Clock::now() + wait;
    Backoff backoff(options_.quick_base, options_.quick_cap, std::chrono::milliseconds(100));
    while (true) {
        // The background sender may be sending this very request: wait for its answer.
        while (!claim(entry.key)) {
            if (Clock::now() >= deadline) {
                Delivery busy;
                busy.key = entry.key;
                busy.error =
                    make_error("outbox.busy", "The request is being sent in the background.");
                return busy;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        const auto timeout =
            std::min(std::max(left, std::chrono::milliseconds(2'000)), options_.attempt_timeout);
        Delivery d = outbox_.attempt(entry, transport_, timeout);
        release(entry.key);
        if (d.done()) return d;
        auto delay = backoff.next();
        if (d.retry_after) delay = std::max<std::chrono::milliseconds>(delay, *d.retry_after);
        if (Clock::now() + delay >= deadline) return d;
        std::this_thread::sleep_for(delay);  // a retry's pause, not synchronisation
    }
}

std::vector<std::pair<OutboxEntry, Delivery>> Submitter::flush(std::vector<Error>* problems) {
    std::vector<std::pair<OutboxEntry, Delivery>> out;
    for (auto& entry : outbox_.pending(problems)) {
        if (!claim(entry.key)) continue;
        Delivery d = outbox_.attempt(entry, transport_, options_.attempt_timeout);
        release(entry.key);
        const bool unreachable = d.unreachable;
        out.emplace_back(std::move(entry), std::move(d));
        if (unreachable) break;
    }
    return out;
}

void Submitter::start(Events events) {
    std::lock_guard lock(mutex_);
    if (thread_.joinable()) return;
    events_ = std::move(events);
    stopping_ = false;
    thread_ = std::thread([this] { run(); });
}

void Submitter::poke() {
    {
        std::lock_guard lock(mutex_);
        poked_ = true;
        schedule_.all_due_now();
    }
    wake_.notify_all();
}

void Submitter::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void Submitter::run() {
    using Clock = RetrySchedule::Clock;
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        poked_ = false;
        lock.unlock();
        std::vector<Error> problems;
        const auto entries = outbox_.pending(&problems);
        if (events_.on_problem)
            for (const auto& p : problems) events_.on_problem(p);
        std::vector<std::string> keys;
        for (const auto& entry : entries) {
            keys.push_back(entry.key);
            {
                std::lock_guard guard(mutex_);
                if (stopping_) break;
                if (!schedule_.due(entry.key, Clock::now()) || !in_flight_.insert(entry.key).second)
                    continue;
            }
            // No lock during I/O: send_now() and poke() stay responsive.
            const Delivery d = outbox_.attempt(entry, transport_, options_.attempt_timeout);
            std::chrono::milliseconds next{0};
            {
                std::lock_guard guard(mutex_);
                in_flight_.erase(entry.key);
                if (d.done())
                    schedule_.forget(entry.key);
                else
                    next = schedule_.failed(entry.key, Clock::now(), d.retry_after);
            }
            if (events_.on_attempt) events_.on_attempt(entry, d, next);
        }
        lock.lock();
        schedule_.keep_only(keys);
        if (stopping_ || poked_) continue;
        auto wake_at = Clock::now() + options_.rescan;
        if (auto due = schedule_.next_due()) wake_at = std::min(wake_at, *due);
        wake_.wait_until(lock, wake_at, [this] { return stopping_ || poked_; });
    }
}

}  // namespace helpline::client
