#include "server/http/upgrade_start.h"

#include "server/http/tunnel_session.h"
#include "server/http/websocket_session.h"

namespace helpline::server::http {

template <class Stream>
void start_upgrade(Stream stream, std::string early, Request request,
                   std::shared_ptr<Upgrade> upgrade, std::chrono::steady_clock::time_point started,
                   ConnectionTicket ticket, std::shared_ptr<SharedState> state) {
    if (upgrade->kind == Upgrade::Kind::websocket) {
        // A WebSocket client waits for the handshake's answer before it sends a frame
        // (RFC 6455 §4.1), so `early` is empty for any client that follows the protocol.
        typename WebSocketSession<Stream>::Origin origin{std::move(request), started};
        std::make_shared<WebSocketSession<Stream>>(std::move(stream), upgrade->protocol,
                                                   upgrade->channel, std::move(origin),
                                                   std::move(ticket), std::move(state))
            ->run();
        return;
    }
    std::string head =
        "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: " + upgrade->protocol +
        "\r\n\r\n";
    typename TunnelSession<Stream>::Origin origin{std::move(request), started};
    std::make_shared<TunnelSession<Stream>>(std::move(stream), std::move(head), std::move(early),
                                            upgrade->channel, std::move(origin), std::move(ticket),
                                            std::move(state))
        ->run();
}

void abandon_upgrade(const Upgrade& upgrade) {
    if (upgrade.channel) upgrade.channel->closed();
}

template void start_upgrade<PlainStream>(PlainStream, std::string, Request,
                                         std::shared_ptr<Upgrade>,
                                         std::chrono::steady_clock::time_point, ConnectionTicket,
                                         std::shared_ptr<SharedState>);
template void start_upgrade<TlsStream>(TlsStream, std::string, Request, std::shared_ptr<Upgrade>,
                                       std::chrono::steady_clock::time_point, ConnectionTicket,
                                       std::shared_ptr<SharedState>);

}  // namespace helpline::server::http
