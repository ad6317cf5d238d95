#include "server/api/ticket_timeline.h"

#include <algorithm>
#include <charconv>
#include <map>

namespace helpline::server::api {
namespace {

nlohmann::json user_ref(const nlohmann::json& id, const Directory& dir) {
    if (!id.is_number_integer()) return nullptr;
    const UserId uid = id.get<UserId>();
    return {{"id", uid}, {"name", dir.user_name(uid)}};
}

nlohmann::json group_ref(const nlohmann::json& id, const Directory& dir) {
    if (!id.is_string()) return nullptr;
    const auto g = dir.groups.find(id.get<std::string>());
    return {{"id", id}, {"name", g == dir.groups.end() ? id.get<std::string>() : g->second.name}};
}

/// What the timeline knows of the ticket's fields while it replays the audit; a field is
/// null until an entry says what it was.
struct Known {
    nlohmann::json priority;
    nlohmann::json group_id;
    nlohmann::json operator_id = nullptr;
    bool priority_known = false;
    bool group_known = false;
    bool operator_known = true;  // every ticket starts unassigned
};

}  // namespace

nlohmann::json timeline_actor(const std::string& actor, const Directory& dir) {
    if (actor.rfind("user:", 0) == 0) {
        UserId id = 0;
        const char* begin = actor.data() + 5;
        const char* end = actor.data() + actor.size();
        if (std::from_chars(begin, end, id).ec == std::errc())
            return {{"type", "user"}, {"id", id}, {"name", dir.user_name(id)}};
    }
    if (actor.rfind("device:", 0) == 0) return {{"type", "customer"}};
    if (actor == "cli") return {{"type", "cli"}};
    return {{"type", "system"}};
}

nlohmann::json ticket_timeline(const std::vector<AuditEntry>& audit, const Directory& dir) {
    std::vector<nlohmann::json> out;
    std::map<std::string, std::size_t> connections;  // request id -> index in out
    std::map<std::string, std::size_t> sessions;     // session id -> index in out
    Known known;
    const auto entry = [&](const AuditEntry& e, const char* kind) {
        return nlohmann::json{{"at", format_time(e.at)}, {"kind", kind}, {"actor", timeline_actor(e.actor, dir)}};
    };

    for (const AuditEntry& e : audit) {
        const auto detail = nlohmann::json::parse(e.detail, nullptr, false);
        const auto field = [&](const char* name) {
            return detail.is_object() && detail.contains(name) ? detail[name] : nlohmann::json();
        };
        if (e.action == "ticket-created") {
            auto j = entry(e, "created");
            j["priority"] = field("priority");
            j["group"] = group_ref(field("group_id"), dir);
            known.priority = field("priority");
            known.priority_known = !known.priority.is_null();
            known.group_id = field("group_id");
            known.group_known = detail.is_object() && detail.contains("group_id");
            out.push_back(std::move(j));
        } else if (e.action == "ticket-updated") {
            // Since this version the entry says what changed ("from"); older entries are
            // compared with what the timeline knows so far.
            const nlohmann::json from = field("from");
            const bool has_from = from.is_object();
            const auto changed = [&](const char* name, const nlohmann::json& before, bool before_known) {
                if (has_from) return from.contains(name);
                return before_known && before != field(name);
            };
            const auto previous = [&](const char* name, const nlohmann::json& before) {
                return has_from ? from[name] : before;
            };
            if (changed("operator_id", known.operator_id, known.operator_known)) {
                auto j = entry(e, "assigned");
                j["operator"] = user_ref(field("operator_id"), dir);
                j["from"] = user_ref(previous("operator_id", known.operator_id), dir);
                out.push_back(std::move(j));
            }
            if (changed("priority", known.priority, known.priority_known)) {
                auto j = entry(e, "priority");
                j["from"] = previous("priority", known.priority);
                j["to"] = field("priority");
                out.push_back(std::move(j));
            }
            if (changed("group_id", known.group_id, known.group_known)) {
                auto j = entry(e, "group");
                j["from"] = group_ref(previous("group_id", known.group_id), dir);
                j["to"] = group_ref(field("group_id"), dir);
                out.push_back(std::move(j));
            }
            known.operator_id = field("operator_id");
            known.priority = field("priority");
            known.group_id = field("group_id");
            known.operator_known = known.priority_known = known.group_known = true;
        } else if (e.action == "requested") {
            auto j = entry(e, "connection");
            j["request_id"] = e.request_id;
            j["outcome"] = "pending";
            j["answered_at"] = nullptr;
            connections[e.request_id] = out.size();
            out.push_back(std::move(j));
        } else if (e.action == "accepted" || e.action == "declined" || e.action == "expired" ||
                   e.action == "cancelled") {
            const auto it = connections.find(e.request_id);
            if (it == connections.end()) continue;
            auto& c = out[it->second];
            if (c["outcome"] != "pending") continue;
            c["outcome"] = e.action;
            if (e.action == "accepted" || e.action == "declined") c["answered_at"] = format_time(e.at);
            if (e.action == "declined") {
                // Entries written before reasons were recorded are the customer's No.
                const auto reason = field("reason");
                const auto known_reason =
                    reason.is_string() ? parse_decline_reason(reason.get<std::string>()) : std::nullopt;
                c["decline_reason"] = to_string(known_reason.value_or(DeclineReason::customer));
            }
            if (e.action == "accepted" && !e.session_id.empty()) {
                auto j = entry(e, "session");
                j["actor"] = c["actor"];  // the operator who asked
                j["session_id"] = e.session_id;
                j["ended_at"] = nullptr;
                j["duration_s"] = nullptr;
                j["ended_by"] = nullptr;
                j["reason"] = nullptr;
                j["at_s"] = e.at;
                sessions[e.session_id] = out.size();
                out.push_back(std::move(j));
            }
        } else if (e.action == "started") {
            // Both sides connected: the session runs from here.
            if (const auto it = sessions.find(e.session_id); it != sessions.end()) {
                out[it->second]["at"] = format_time(e.at);
                out[it->second]["at_s"] = e.at;
            }
        } else if (e.action == "ended") {
            const auto it = sessions.find(e.session_id);
            if (it == sessions.end()) continue;
            auto& s = out[it->second];
            s["ended_at"] = format_time(e.at);
            s["duration_s"] = e.at - s["at_s"].get<Timestamp>();
            const auto actor = timeline_actor(e.actor, dir);
            if (actor["type"] == "system") s["reason"] = field("reason").is_string() ? field("reason") : nlohmann::json();
            else s["ended_by"] = actor;
        } else if (e.action == "ticket-closed") {
            out.push_back(entry(e, "closed"));
        } else if (e.action == "ticket-expired") {
            out.push_back(entry(e, "expired"));
        } else if (e.action == "reopened") {
            out.push_back(entry(e, "reopened"));
        }
    }
    for (auto& j : out) j.erase("at_s");
    // Times are UTC ISO strings of the same width, so text order is time order; stable,
    // so entries of one change keep their order.
    std::stable_sort(out.begin(), out.end(),
                     [](const nlohmann::json& a, const nlohmann::json& b) { return a["at"].get<std::string>() < b["at"].get<std::string>(); });
    return out;
}

}  // namespace helpline::server::api
