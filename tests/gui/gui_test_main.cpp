// Catch2's main for GUI tests: a wx application with an active event loop around the run.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>
#include <wx/app.h>
#include <wx/evtloop.h>

#include "client/gui/i18n.h"

int main(int argc, char** argv) {
    wxApp::SetInstance(new wxApp());
    int wx_argc = 1;
    char* wx_argv[] = {argv[0], nullptr};
    if (!wxEntryStart(wx_argc, wx_argv)) return 2;  // no display
    wxTheApp->CallOnInit();
    helpline::gui::init_translations("en");
    int result = 0;
    {
        wxEventLoop loop;
        wxEventLoopActivator active(&loop);
        result = Catch::Session().run(argc, argv);
    }
    wxEntryCleanup();
    return result;
}
