// helpline-vnc-auth: one viewer, authenticated with the session's one-time VNC password, in
// front of a VNC server (wayvnc on wlroots desktops) that listens on a private Unix socket.

#include <iostream>

#include "client/vnc_auth/vnc_auth_cli.h"

int main(int argc, char** argv) {
    return helpline::client::vnc_auth::run_vnc_auth_cli(argc, argv, std::cout, std::cerr);
}
