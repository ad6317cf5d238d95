#include "client/win_vnc/rfb_password.h"

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

}  // namespace helpline::win_vnc
