#pragma once
// The operator's side of a running session in end-to-end tests, as the console's noVNC comes
// in: the relay's WebSocket view of the session, and an RFB viewer over it logged in with the
// one-time password the server handed over (GET /api/v1/connection-requests/{id}).

#include <catch2/catch.hpp>

#include <memory>
#include <string>

#include "tests/server/relay/view_client.h"
#include "tests/support/rfb_screen_viewer.h"

namespace helpline::test {

struct OperatorRfb {
    std::unique_ptr<ViewClient> view;
    std::unique_ptr<RfbScreenViewer> rfb;
};

/// Opens `session`'s view on the server at `port` with `token` and logs in with `password`;
/// REQUIREs that it opens and that the password is taken.
inline OperatorRfb operator_rfb(std::uint16_t port, const std::string& token,
                                const std::string& session, const std::string& password) {
    OperatorRfb o;
    o.view = open_operator_view(port, token, session);
    ViewClient* view = o.view.get();
    o.rfb = std::make_unique<RfbScreenViewer>(
        [view](std::size_t count, std::chrono::milliseconds wait) { return view->take(count, wait); },
        [view](const std::string& bytes) { return view->send(bytes); });
    const RfbLogin login = o.rfb->login(password);
    INFO(login.reason);
    REQUIRE(login.ok);
    return o;
}

}  // namespace helpline::test
