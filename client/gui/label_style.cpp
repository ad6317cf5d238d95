#include "client/gui/label_style.h"

namespace helpline::gui {

wxString escape_markup(const wxString& text) {
    wxString escaped;
    for (const wxUniChar c : text) {
        switch (c.GetValue()) {
            case '&':  // "&&": a literal '&', not a mnemonic
                escaped += "&amp;&amp;";
                break;
            case '<':
                escaped += "&lt;";
                break;
            case '>':
                escaped += "&gt;";
                break;
            case '\'':
                escaped += "&apos;";
                break;
            case '"':
                escaped += "&quot;";
                break;
            default:
                escaped += c;
        }
    }
    return escaped;
}

}  // namespace helpline::gui
