#include "bench/submissions.h"

#include <cstdio>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "bench/bench_util.h"
#include "bench/load_driver.h"

namespace helpline::bench {

std::string UuidMaker::next() { return uuid4(rng_); }

std::vector<std::string> register_devices(std::uint16_t port, std::size_t count, int max_seconds,
                                          double* seconds) {
    std::vector<std::string> tokens(count);
    const std::string request =
        http_request("POST", "/api/v1/devices", {},
                     R"({"profile_id":"acme-support","hostname":"bench","os":"linux"})");
    LoadOptions o;
    o.port = port;
    o.connections = std::min<std::size_t>(8, count);
    o.requests = count;
    o.max_time = std::chrono::seconds(max_seconds);
    o.make_request = [&](std::size_t, std::size_t) { return request; };
    o.on_response = [&](std::size_t seq, const HttpResponse& r) {
        if (r.status == 201)
            tokens[seq] = nlohmann::json::parse(r.body).at("device_token").get<std::string>();
    };
    const auto result = run_load(o);
    if (result.count(201) != count)
        throw std::runtime_error("registered " + std::to_string(result.count(201)) + " of " +
                                 std::to_string(count) + " devices");
    if (seconds != nullptr) *seconds = result.wall_s;
    return tokens;
}

std::string submission_request(const std::string& token, std::size_t seq,
                               const std::string& idempotency_key) {
    const std::string body = R"({"email":"customer)" + std::to_string(seq % 1000) +
                             R"(@acme.example","description":"The printer on floor )" +
                             std::to_string(seq) + R"( does not print.","group_id":"helpdesk"})";
    return http_request(
        "POST", "/api/v1/tickets",
        {{"Authorization", "Bearer " + token}, {"Idempotency-Key", idempotency_key}}, body);
}

}  // namespace helpline::bench
