#include "branding/tool/package_texts.h"

#include <array>

#include "shared/localized.h"

namespace helpline::brand {
namespace {

// TRANSLATORS of these: keep {placeholders} as they are; commands stay in English.
constexpr std::array<PackageTexts, 4> kTexts{{
    {"en", "Remote support", "Get help from your support team", "support;help;remote;assistance;",
     "{name} puts you in touch with your support team: ask them for help from this computer and, "
     "when you allow it, let them see your screen.",
     "Version {version}, for Linux ({arch}).", "INSTALL (no administrator rights needed)",
     "installs {name} for you alone, in ~/.local: the programs {id} and {id}-cli, the menu entry "
     "\"{name}\" and its icon. Then start it from your menu, or with ~/.local/bin/{id}.",
     "It needs these libraries, which most desktop systems have (Debian's package names): "
     "{depends}; "
     "and x11vnc for remote sessions (Debian, Ubuntu: sudo apt install x11vnc).",
     "On a Wayland desktop, remote sessions use the desktop's own screen sharing: GNOME and KDE "
     "ask you first in a window of their own (they need xdg-desktop-portal, which they have); "
     "on sway or Hyprland, {name} needs wayvnc (Debian, Ubuntu: sudo apt install wayvnc).",
     "UNINSTALL",
     "removes exactly what install.sh installed (it keeps a list). If this folder is gone, run "
     "~/.local/lib/{id}/install.sh --uninstall instead.",
     "SUPPORT"},
    {"pt", "Suporte remoto", "Obtenha ajuda da sua equipa de suporte",
     "suporte;ajuda;remoto;assistência;",
     "O {name} põe-no em contacto com a sua equipa de suporte: peça-lhe ajuda a partir deste "
     "computador e, quando o permitir, deixe-a ver o seu ecrã.",
     "Versão {version}, para Linux ({arch}).",
     "INSTALAR (não são precisos direitos de administrador)",
     "instala o {name} só para si, em ~/.local: os programas {id} e {id}-cli, a entrada \"{name}\" "
     "no menu e o seu ícone. Depois, abra-o a partir do menu ou com ~/.local/bin/{id}.",
     "Precisa destas bibliotecas, que a maioria dos sistemas com ambiente gráfico tem (nomes dos "
     "pacotes Debian): {depends}; e do x11vnc para as sessões remotas (Debian, Ubuntu: sudo apt "
     "install x11vnc).",
     "Num ambiente de trabalho Wayland, as sessões remotas usam a partilha de ecrã do próprio "
     "ambiente: o GNOME e o KDE pedem-lhe autorização numa janela própria (precisam do "
     "xdg-desktop-portal, que já têm); no sway ou no Hyprland, o {name} precisa do wayvnc "
     "(Debian, Ubuntu: sudo apt install wayvnc).",
     "DESINSTALAR",
     "remove exatamente o que o install.sh instalou (guarda uma lista). Se esta pasta já não "
     "existir, execute ~/.local/lib/{id}/install.sh --uninstall.",
     "SUPORTE"},
    {"pt_BR", "Suporte remoto", "Obtenha ajuda da sua equipe de suporte",
     "suporte;ajuda;remoto;assistência;",
     "O {name} coloca você em contato com sua equipe de suporte: peça ajuda a partir deste "
     "computador e, quando você permitir, deixe que vejam sua tela.",
     "Versão {version}, para Linux ({arch}).", "INSTALAR (não é preciso ser administrador)",
     "instala o {name} só para você, em ~/.local: os programas {id} e {id}-cli, o item \"{name}\" "
     "no menu e seu ícone. Depois, abra-o pelo menu ou com ~/.local/bin/{id}.",
     "Ele precisa destas bibliotecas, que a maioria dos sistemas com ambiente gráfico tem (nomes "
     "dos pacotes Debian): {depends}; e do x11vnc para as sessões remotas (Debian, Ubuntu: sudo "
     "apt install x11vnc).",
     "Em um ambiente de trabalho Wayland, as sessões remotas usam o compartilhamento de tela do "
     "próprio ambiente: o GNOME e o KDE pedem sua autorização em uma janela própria (eles "
     "precisam do xdg-desktop-portal, que já têm); no sway ou no Hyprland, o {name} precisa do "
     "wayvnc (Debian, Ubuntu: sudo apt install wayvnc).",
     "DESINSTALAR",
     "remove exatamente o que o install.sh instalou (ele guarda uma lista). Se esta pasta não "
     "existir mais, execute ~/.local/lib/{id}/install.sh --uninstall.",
     "SUPORTE"},
    {"it", "Assistenza remota", "Ricevi aiuto dal tuo team di supporto",
     "assistenza;aiuto;supporto;remoto;",
     "{name} ti mette in contatto con il tuo team di supporto: chiedi aiuto da questo computer e, "
     "quando lo consenti, lascia che vedano il tuo schermo.",
     "Versione {version}, per Linux ({arch}).",
     "INSTALLAZIONE (non servono i diritti di amministratore)",
     "installa {name} solo per te, in ~/.local: i programmi {id} e {id}-cli, la voce di menu "
     "\"{name}\" e la sua icona. Poi avvialo dal menu o con ~/.local/bin/{id}.",
     "Servono queste librerie, presenti nella maggior parte dei sistemi desktop (nomi dei "
     "pacchetti "
     "Debian): {depends}; e x11vnc per le sessioni remote (Debian, Ubuntu: sudo apt install "
     "x11vnc).",
     "Su un desktop Wayland, le sessioni remote usano la condivisione dello schermo del desktop "
     "stesso: GNOME e KDE ti chiedono prima il permesso in una loro finestra (serve "
     "xdg-desktop-portal, che hanno già); su sway o Hyprland, {name} ha bisogno di wayvnc "
     "(Debian, Ubuntu: sudo apt install wayvnc).",
     "DISINSTALLAZIONE",
     "rimuove esattamente ciò che install.sh ha installato (ne tiene un elenco). Se questa "
     "cartella "
     "non c'è più, esegui invece ~/.local/lib/{id}/install.sh --uninstall.",
     "ASSISTENZA"},
}};

}  // namespace

std::size_t utf8_length(std::string_view s) {
    std::size_t n = 0;
    for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
    return n;
}

const PackageTexts* find_package_texts(std::string_view language) {
    const std::string tag = normalize_language(language);
    for (const auto& t : kTexts)
        if (t.language == tag) return &t;
    return nullptr;
}

const PackageTexts& english_package_texts() {
    return kTexts[0];
}

std::vector<std::string> wrap_words(std::string_view text, std::size_t width) {
    std::vector<std::string> lines;
    std::string line;
    std::size_t line_length = 0;
    std::size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && (text[i] == ' ' || text[i] == '\n' || text[i] == '\t')) ++i;
        if (i >= text.size()) break;
        std::size_t end = i;
        while (end < text.size() && text[end] != ' ' && text[end] != '\n' && text[end] != '\t')
            ++end;
        const std::string_view word = text.substr(i, end - i);
        const std::size_t length = utf8_length(word);
        if (!line.empty() && line_length + 1 + length > width) {
            lines.push_back(std::move(line));
            line.clear();
            line_length = 0;
        }
        if (!line.empty()) {
            line += ' ';
            ++line_length;
        }
        line += word;
        line_length += length;
        i = end;
    }
    if (!line.empty()) lines.push_back(std::move(line));
    return lines;
}

}  // namespace helpline::brand
