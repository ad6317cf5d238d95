#pragma once
// The client's main window: the brand's logo, name and welcome text.

#include <wx/frame.h>

#include "client/core/brand.h"

namespace helpline::gui {

class MainFrame : public wxFrame {
public:
    MainFrame(const client::Brand& brand, const std::string& language);
};

/// "#0A6ED1" -> colour; the default accent when the profile has none or it is malformed.
wxColour accent_colour(const std::string& hex);

}  // namespace helpline::gui
