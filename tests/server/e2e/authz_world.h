#pragma once
// The authorization matrix: every endpoint of docs/protocol.md (the relay aside) with the
// status each kind of caller must get, and a team to run it against.
//
// Every call prepares fresh objects when the call could change them (a ticket to close, a
// request to accept, a group to delete), so each cell of the matrix stands alone and the
// expected status does not depend on the order the cells run in.

#include <array>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "tests/server/e2e/e2e_fixture.h"

namespace helpline::test::e2e {

enum class Caller { anonymous, device, operator_a, operator_b, admin };
inline constexpr std::array<Caller, 5> kCallers = {
    Caller::anonymous, Caller::device, Caller::operator_a, Caller::operator_b, Caller::admin};
const char* caller_name(Caller caller);

/// What one call sends: the values of the pattern's {parameters} in order, a body, headers.
struct Target {
    std::vector<std::string> params;
    std::optional<Json> body;
    std::vector<std::string> headers;
};

class World;

struct Endpoint {
    std::string method;
    std::string pattern;          ///< "/api/v1/tickets/{number}/close"
    std::array<int, 5> expected;  ///< by Caller, in kCallers order
    std::function<Target(World&, Caller)> prepare;
    bool stream = false;         ///< answers with an endless event stream when allowed
    bool fresh_session = false;  ///< ends the caller's session: users sign in anew
    int expected_for(Caller caller) const { return expected[static_cast<std::size_t>(caller)]; }
};

/// The rows of the matrix, one per endpoint.
const std::vector<Endpoint>& endpoints();

/// Ways to write a path. Those that normalise to the canonical path must be answered as it
/// is; the others are refused before authorization is even considered.
enum class Variant {
    canonical,
    trailing_slash,   ///< "/api/v1/queue/"
    doubled_slash,    ///< "/api//v1/queue"
    encoded_segment,  ///< "/api/v1/%71ueue"
    encoded_slash,    ///< "/api/v1/q%2Fueue"       -> 400
    dot_dot,          ///< "/api/v1/x/%2E%2E/queue"  -> 400 (curl would resolve a plain "..")
    upper_case,       ///< "/API/V1/QUEUE"           -> 404
};
inline constexpr std::array<Variant, 6> kVariants = {
    Variant::trailing_slash, Variant::doubled_slash, Variant::encoded_segment,
    Variant::encoded_slash,  Variant::dot_dot,       Variant::upper_case};
const char* variant_name(Variant variant);
/// The status a variant must get, given the canonical path's.
int expected_for(Variant variant, int canonical_status);

/// `pattern` with its parameters filled in, written as `variant`.
std::string render_path(const std::string& pattern, const std::vector<std::string>& params,
                        Variant variant);

/// A team with a device (profile demo-support, published), operator A in helpdesk,
/// operator B in billing, the admin, and the objects the rows need.
class World {
  public:
    World();
    const Team& team() const { return team_; }

    /// The bearer token of `caller` (empty for anonymous); `fresh` signs a user in anew.
    std::string token(Caller caller, bool fresh = false);
    /// A new open ticket in group A (helpdesk) from the device.
    std::int64_t ticket_in_a();
    /// An attachment the device uploaded to a new ticket in group A; its id.
    std::int64_t attachment_in_a();
    /// A new pending connection request by operator A on a new ticket in group A.
    std::string pending_request();
    /// A new session: operator A's request, accepted by the device.
    std::string session();
    /// A name not used before: prefix + counter.
    std::string unique(const std::string& prefix);
    /// A signed envelope of the demo profile at the next revision.
    Json next_envelope();
    Json first_envelope() const { return first_envelope_; }
    std::int64_t target_user() const { return target_user_; }

    /// Makes the call; its status (0 when nothing came back).
    long perform(const Endpoint& endpoint, Caller caller, Variant variant,
                 std::string* body = nullptr);

  private:
    Team team_;
    DeviceCredentials device_;
    std::string operator_a_;
    std::string operator_b_;
    std::int64_t target_user_ = 0;
    Json first_envelope_;
    int revision_ = 1;
    int counter_ = 0;
};

}  // namespace helpline::test::e2e
