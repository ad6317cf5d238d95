#include "server/api/ticket_writer.h"

#include <charconv>

#include "shared/text.h"

namespace helpline::server::api {
namespace {

void write_int(std::string& out, std::int64_t n) {
    char buf[24];
    const auto end = std::to_chars(buf, buf + sizeof buf, n).ptr;
    out.append(buf, end);
}

/// "key": (the comma before it is the caller's).
void write_key(std::string& out, std::string_view key) {
    out += '"';
    out += key;
    out += "\":";
}

void write_time(std::string& out, Timestamp t) {
    out += '"';
    out += format_time(t);
    out += '"';
}

/// {"id":…,"name":"…"} for a user or group reference.
template <typename Id>
void write_ref(std::string& out, const Id& id, std::string_view name) {
    out += "{\"id\":";
    if constexpr (std::is_same_v<Id, std::string>) write_json_string(out, id);
    else write_int(out, id);
    out += ",\"name\":";
    write_json_string(out, name);
    out += '}';
}

}  // namespace

void write_json_string(std::string& out, std::string_view text) {
    static constexpr char kHex[] = "0123456789abcdef";
    out += '"';
    std::size_t i = 0;
    while (i < text.size()) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c >= 0x80) {
            const std::size_t n = utf8_sequence(text.substr(i));
            if (n == 0) {
                out += "\xEF\xBF\xBD";  // U+FFFD for a byte that is not UTF-8
                ++i;
            } else {
                out.append(text.data() + i, n);
                i += n;
            }
            continue;
        }
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\b': out += "\\b"; break;
            case '\f': out += "\\f"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default:
                if (c < 0x20) {
                    out += "\\u00";
                    out += kHex[c >> 4];
                    out += kHex[c & 0xF];
                } else {
                    out += static_cast<char>(c);
                }
        }
        ++i;
    }
    out += '"';
}

void write_ticket_json(std::string& out, const Ticket& t, const Directory& dir, Timestamp now, bool device_online) {
    // The keys in nlohmann::json's (sorted) order, so the bytes are ticket_json's.
    out += '{';
    write_key(out, "assigned_at");
    if (t.operator_id && t.assigned_at) write_time(out, *t.assigned_at);
    else out += "null";
    out += ',';
    write_key(out, "closed_at");
    if (t.closed_at) write_time(out, *t.closed_at);
    else out += "null";
    out += ',';
    write_key(out, "created_at");
    write_time(out, t.created_at);
    out += ',';
    write_key(out, "description");
    write_json_string(out, t.description);
    out += ',';
    write_key(out, "device_online");
    out += device_online ? "true" : "false";
    out += ',';
    write_key(out, "group");
    if (t.group_id) {
        const auto g = dir.groups.find(*t.group_id);
        write_ref(out, *t.group_id, g == dir.groups.end() ? *t.group_id : g->second.name);
    } else {
        out += "null";
    }
    out += ',';
    write_key(out, "last_customer_message_id");
    write_int(out, t.last_customer_message_id);
    out += ',';
    write_key(out, "messages");
    write_int(out, t.message_count);
    out += ',';
    write_key(out, "number");
    write_int(out, t.number);
    out += ',';
    write_key(out, "operator");
    if (t.operator_id) write_ref(out, *t.operator_id, dir.user_name(t.operator_id));
    else out += "null";
    out += ',';
    write_key(out, "priority");
    write_json_string(out, to_string(t.priority));
    out += ',';
    write_key(out, "requester");
    out += "{\"email\":";
    write_json_string(out, t.email);
    out += ",\"organization\":";
    if (const auto org = dir.organization_for(t.email)) write_json_string(out, *org);
    else out += "null";
    out += "},";
    write_key(out, "status");
    write_json_string(out, to_string(t.status));
    out += ',';
    write_key(out, "subject");
    write_json_string(out, t.subject);
    out += ',';
    write_key(out, "time_to_close_s");
    if (t.closed_at) write_int(out, *t.closed_at - t.created_at);
    else out += "null";
    out += ',';
    write_key(out, "updated_at");
    write_time(out, t.updated_at);
    out += ',';
    write_key(out, "waiting_s");
    write_int(out, t.status == TicketStatus::open ? now - t.created_at : t.closed_at.value_or(now) - t.created_at);
    out += '}';
}

}  // namespace helpline::server::api
