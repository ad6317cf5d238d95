#pragma once
// What helpline-win-vnc sets up about its own process on Windows before the session:
// physical pixels on scaled displays, the stop request from the launcher, the command line
// in UTF-8. Windows only (process_setup_win32.cpp).

#include <atomic>
#include <string>
#include <vector>

namespace helpline::win_vnc {

/// Per-monitor DPI awareness, so that the screen's sizes and the pointer's positions are
/// physical pixels on every monitor (a program that is not DPI aware sees a scaled-down,
/// blurred desktop at 125 % and beyond); and the console's Ctrl+Break, Ctrl+C and close
/// become a stop request.
void prepare_process();

/// Set once the program is asked to stop: Ctrl+Break is how the client's launcher asks a
/// backend that shares its console (a launcher without a console ends the backend's Job
/// Object instead, which ends it at once).
const std::atomic<bool>& stop_requested();

/// The session is over and what was held is released: a console that is being closed waits
/// for this (up to 2 s) before Windows ends the process.
void session_finished();

/// The command line as UTF-8 (Windows hands it over in UTF-16; argv is in the ANSI code page,
/// which cannot hold every user's folder name).
std::vector<std::string> utf8_arguments(int argc, char** argv);

}  // namespace helpline::win_vnc
