#pragma once
// The words of the seeded team (bench/seed_tickets): people's names, customer domains and
// organizations, and the subjects and descriptions of tickets. Realistic in length and
// shape (what the history's rows and the queue's JSON weigh), with some Portuguese and
// Italian text, since the console is used in those languages too.

#include <cstdint>
#include <random>
#include <span>
#include <string>
#include <string_view>

namespace helpline::bench::seed {

/// xoshiro256** (Blackman and Vigna): a generator per ticket costs four words to seed,
/// where std::mt19937_64 fills 312 — with a million tickets, that was the seeder's hottest
/// function.
class Rng {
  public:
    using result_type = std::uint64_t;
    explicit Rng(std::uint64_t seed) {
        for (auto& word : s_) {  // SplitMix64 spreads the seed over the state
            seed += 0x9E3779B97F4A7C15ULL;
            std::uint64_t z = seed;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
            word = z ^ (z >> 31);
        }
    }
    static constexpr result_type min() { return 0; }
    static constexpr result_type max() { return ~result_type{0}; }
    result_type operator()() {
        const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
        const std::uint64_t t = s_[1] << 17;
        s_[2] ^= s_[0];
        s_[3] ^= s_[1];
        s_[1] ^= s_[2];
        s_[0] ^= s_[3];
        s_[2] ^= t;
        s_[3] = rotl(s_[3], 45);
        return result;
    }

  private:
    static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
    std::uint64_t s_[4];
};

/// First names (for requesters and operators); about a fifth start with "a", as the
/// type-ahead's one-letter search wants many matches.
std::span<const std::string_view> first_names();
std::span<const std::string_view> last_names();

/// A customer's email domain and, for some of them, the organization the team maps it to.
struct CustomerDomain {
    std::string_view domain;
    std::string_view organization;  ///< empty: not mapped (the console shows the domain)
};
std::span<const CustomerDomain> customer_domains();

/// A ticket's subject (empty for about one in twelve: the field is optional) and its
/// description, whose length follows a long-tailed distribution (median ~170 characters,
/// a few of several thousand; never over the server's 16,000).
std::string ticket_subject(Rng& rng);
std::string ticket_description(Rng& rng);

/// A device's hostname, operating system and client version, as a client reports them.
std::string device_hostname(Rng& rng, std::string_view first_name);
std::string_view device_os(Rng& rng);
std::string_view client_version(Rng& rng);

}  // namespace helpline::bench::seed
