// The baseline of bench/client_start: the smallest wx program that shows a window, built in
// the same tree with the same wx. Prints "shown main <ns>" like the client does.
#include <wx/app.h>
#include <wx/frame.h>
#include <wx/stattext.h>

#include <chrono>
#include <iostream>

namespace {

class MinimalApp : public wxApp {
  public:
    bool OnInit() override {
        auto* frame = new wxFrame(nullptr, wxID_ANY, "Minimal");
        new wxStaticText(frame, wxID_ANY, "Hello");
        frame->Show();
        frame->Update();
        const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                            std::chrono::steady_clock::now().time_since_epoch())
                            .count();
        std::cout << "shown main " << ns << std::endl;
        return true;
    }
};

}  // namespace

wxIMPLEMENT_APP(MinimalApp);
