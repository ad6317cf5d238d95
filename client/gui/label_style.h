#pragma once
// Labels in a size, weight and colour of their own, drawn the cheapest way each toolkit has
// (STYLE.md §6: label_style_posix.cpp for GTK, label_style_win32.cpp for Windows). GTK: Pango
// markup — styling a widget through SetFont or SetForegroundColour makes wxGTK give it a CSS
// provider of its own, and a dozen of those cost about as much as the rest of showing the
// main window. Windows: the control's font and colour, since its static text shows no markup.

#include <wx/colour.h>
#include <wx/string.h>

class wxStaticText;

namespace helpline::gui {

struct LabelStyle {
    enum class Size { normal, large, xx_large };  ///< Pango's names: 1.2 and 1.728 times
    Size size = Size::normal;
    bool bold = false;
    wxColour colour;  ///< not IsOk(): the theme's
};

/// Sets `label`'s text (shown as it is: no mnemonic, no markup) in `style`.
void set_label(wxStaticText* label, const wxString& text, const LabelStyle& style);

/// `text` for markup (a button's label, GTK's labels): '&' stays a literal one (wx reads "&&"
/// so, and '&' alone as a mnemonic), '<', '>' and quotes as entities.
wxString escape_markup(const wxString& text);

}  // namespace helpline::gui
