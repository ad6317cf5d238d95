#include "bench/seed_rows.h"

#include "bench/bench_util.h"

#include <openssl/sha.h>

#include <cstdio>

namespace helpline::bench::seed {
namespace {

std::string hex(const unsigned char* bytes, std::size_t n) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    out.reserve(2 * n);
    for (std::size_t i = 0; i < n; ++i) {
        out += kDigits[bytes[i] >> 4];
        out += kDigits[bytes[i] & 15];
    }
    return out;
}

/// "Maria.Silva@Acme.example", as some people type it.
std::string with_capitals(std::string email) {
    for (std::size_t i = 0; i < email.size(); ++i) {
        const bool start =
            i == 0 || email[i - 1] == '.' || email[i - 1] == '_' || email[i - 1] == '@';
        if (start && email[i] >= 'a' && email[i] <= 'z')
            email[i] = static_cast<char>(email[i] - 'a' + 'A');
    }
    return email;
}

}  // namespace

std::string random_hex(Rng& rng, std::size_t bytes) {
    std::string raw(bytes, '\0');
    for (auto& c : raw) c = static_cast<char>(rng() & 0xff);
    return hex(reinterpret_cast<const unsigned char*>(raw.data()), raw.size());
}

std::string sha256_hex(std::string_view data) {
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
    return hex(digest, sizeof digest);
}

/// `s` as a JSON string, escaped as nlohmann::json's dump() escapes it (the server hashes
/// and stores what dump() makes, so the seeded hashes and details are byte for byte its own).
void append_json(std::string& out, std::string_view s) {
    out += '"';
    for (const char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\b':
                out += "\\b";
                break;
            case '\f':
                out += "\\f";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                if (c < 0x20) {
                    char code[8];
                    std::snprintf(code, sizeof code, "\\u%04x", c);
                    out += code;
                } else {
                    out += ch;
                }
        }
    }
    out += '"';
}

JsonObject& JsonObject::text(std::string_view key, std::string_view value) {
    start(key);
    append_json(out_, value);
    return *this;
}

JsonObject& JsonObject::text_or_null(std::string_view key, std::string_view value, bool present) {
    start(key);
    if (present)
        append_json(out_, value);
    else
        out_ += "null";
    return *this;
}

JsonObject& JsonObject::integer_or_null(std::string_view key, std::int64_t value, bool present) {
    start(key);
    out_ += present ? std::to_string(value) : "null";
    return *this;
}

JsonObject& JsonObject::raw(std::string_view key, std::string_view json) {
    start(key);
    out_ += json;
    return *this;
}

void JsonObject::start(std::string_view key) {
    out_ += out_.size() == 1 ? "" : ",";
    append_json(out_, key);
    out_ += ':';
}

/// A generator of its own per object, so a device's or ticket's texts do not depend on
/// the order in which they are written.
Rng object_rng(std::uint64_t seed, std::uint64_t kind, std::uint64_t index) {
    return Rng(seed * 0x9E3779B97F4A7C15ULL ^ (kind << 56) ^ (index * 0xD1B54A32D192ED03ULL));
}

DeviceText device_text(const DataSet& d, std::size_t index) {
    Rng rng = object_rng(d.options.seed, 1, index);
    const std::string& email = d.requesters[d.devices[index].requester].email;
    DeviceText t;
    t.id = random_hex(rng, 16);          // as register_device: 16 random bytes in hex
    t.token_hash = random_hex(rng, 32);  // the SHA-256 of a token nobody holds
    t.hostname = device_hostname(rng, email.substr(0, email.find_first_of("._@")));
    t.os = device_os(rng);
    t.version = client_version(rng);
    return t;
}

TicketText ticket_text(const DataSet& d, const SeedTicket& t) {
    Rng rng = object_rng(d.options.seed, 2, static_cast<std::uint64_t>(t.number));
    TicketText x;
    const std::string& email = d.requesters[t.requester].email;
    x.email = t.capitalised ? with_capitals(email) : email;
    x.subject = ticket_subject(rng);
    x.description = ticket_description(rng);
    x.idempotency_key = uuid4(rng);
    // The body the client sent, hashed as the server hashes it (canonical JSON: sorted
    // keys, no spaces); the priority only when the customer chose one, the subject and
    // group only when there are.
    JsonObject body;
    body.text("description", x.description).text("email", x.email);
    if (t.group >= 0) body.text("group_id", d.groups[static_cast<std::size_t>(t.group)].id);
    if (t.initial_priority != 1) body.text("priority", priority_name(t.initial_priority));
    if (!x.subject.empty()) body.text("subject", x.subject);
    x.request_hash = sha256_hex(body.done());
    return x;
}

}  // namespace helpline::bench::seed
