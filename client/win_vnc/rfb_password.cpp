#include "client/win_vnc/rfb_password.h"

#include <fmt/format.h>

#include <cstring>

namespace helpline::win_vnc {

bool rfb_password_correct(rfbClientPtr client, const char* response, int length,
                          std::string& password) {
    if (length != CHALLENGESIZE) return false;
    unsigned char expected[CHALLENGESIZE];
    std::memcpy(expected, client->authChallenge, CHALLENGESIZE);
    rfbEncryptBytes(expected, password.data());
    unsigned char difference = 0;
    for (int i = 0; i < CHALLENGESIZE; ++i)
        difference |= static_cast<unsigned char>(expected[i] ^ static_cast<unsigned char>(response[i]));
    return difference == 0;
}

rfbNewClientAction gate_new_client(ViewerGate& gate, rfbClientPtr client,
                                   ClientGoneHookPtr gone) {
    if (!gate.connected(client, ViewerGate::Clock::now())) return RFB_CLIENT_REFUSE;
    client->clientGoneHook = gone;
    return RFB_CLIENT_ACCEPT;
}

ViewerGate::Verdict gate_password(ViewerGate& gate, rfbClientPtr client, const char* response,
                                  int length, std::string& password) {
    return gate.password(client, rfb_password_correct(client, response, length, password));
}

std::string too_many_wrong_passwords() {
    return fmt::format("{} wrong VNC passwords were given: the session ends so that nobody "
                       "can keep guessing.",
                       ViewerGate::kMaxWrongPasswords);
}

void close_gated(const ViewerGate& gate) {
    for (ViewerGate::Id id : gate.to_close(ViewerGate::Clock::now())) {
        auto client = static_cast<rfbClientPtr>(const_cast<void*>(id));
        if (client->sock != RFB_INVALID_SOCKET) rfbCloseClient(client);
    }
}

}  // namespace helpline::win_vnc
