#pragma once
// Devices and durable ticket submissions for the server's benchmarks: devices registered
// through the API, and the POST /api/v1/tickets request every submission benchmark sends
// (a new Idempotency-Key each time, so every one is a new ticket).

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace helpline::bench {

/// Random version-4 UUIDs, cheap enough not to weigh on the client.
class UuidMaker {
  public:
    std::string next();

  private:
    std::mt19937_64 rng_{std::random_device{}()};
};

/// Registers `count` devices through 127.0.0.1:port (within `max_seconds`); their device
/// tokens. Throws unless every registration answered 201. `seconds`, when given, is how
/// long it took.
std::vector<std::string> register_devices(std::uint16_t port, std::size_t count, int max_seconds = 120,
                                          double* seconds = nullptr);

/// The bytes of submission number `seq` by the device with `token`.
std::string submission_request(const std::string& token, std::size_t seq,
                               const std::string& idempotency_key);

}  // namespace helpline::bench
