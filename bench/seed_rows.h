#pragma once
// What the seeder writes for each device and ticket beyond seed_data.h's numbers: ids,
// token hashes, texts, idempotency keys and the request hash, derived from the seed and
// the object's index (so a row does not depend on the order of writing), and JSON written
// byte for byte as the server's nlohmann::json dump() writes it.

#include <cstdint>
#include <string>
#include <string_view>

#include "bench/seed_data.h"
#include "bench/seed_text.h"

namespace helpline::bench::seed {

std::string random_hex(Rng& rng, std::size_t bytes);
std::string sha256_hex(std::string_view data);

/// Appends `s` as a JSON string, escaped as nlohmann::json's dump() escapes it.
void append_json(std::string& out, std::string_view s);

/// A JSON object with its keys in sorted order, written as nlohmann::json's dump() does
/// (the caller adds the keys in order).
class JsonObject {
  public:
    JsonObject& text(std::string_view key, std::string_view value);
    JsonObject& text_or_null(std::string_view key, std::string_view value, bool present);
    JsonObject& integer_or_null(std::string_view key, std::int64_t value, bool present);
    JsonObject& raw(std::string_view key, std::string_view json);
    std::string done() { return std::move(out_) + "}"; }

  private:
    void start(std::string_view key);
    std::string out_ = "{";
};

/// A generator of its own per object (`kind` 1: devices, 2: tickets, 3: the team).
Rng object_rng(std::uint64_t seed, std::uint64_t kind, std::uint64_t index);

struct DeviceText {
    std::string id;
    std::string token_hash;
    std::string hostname;
    std::string_view os;
    std::string_view version;
};
DeviceText device_text(const DataSet& d, std::size_t index);

struct TicketText {
    std::string email;  ///< as the requester typed it
    std::string subject;
    std::string description;
    std::string idempotency_key;
    std::string request_hash;  ///< SHA-256 of the submission's canonical JSON, as the server's
};
TicketText ticket_text(const DataSet& d, const SeedTicket& t);

}  // namespace helpline::bench::seed
