#include "bench/seed_text.h"

#include <array>
#include <cmath>

namespace helpline::bench::seed {
namespace {

constexpr std::array<std::string_view, 120> kFirstNames = {
    "ana",       "alice",     "antonio",   "alberto",  "andrea",  "adriana",   "alessandro",
    "amanda",    "arthur",    "aurora",    "alex",     "alessia", "afonso",    "agnese",
    "alvaro",    "amelia",    "anabela",   "angelo",   "aline",   "arianna",   "armando",
    "augusto",   "ava",       "bruno",     "beatriz",  "bianca",  "benedetta", "bernardo",
    "bruna",     "carla",     "carlos",    "chiara",   "claudia", "cristina",  "daniel",
    "daniela",   "davide",    "diego",     "diana",    "eduardo", "elena",     "elisa",
    "emma",      "enzo",      "fabio",     "federica", "felipe",  "fernanda",  "filipa",
    "francesca", "francisco", "gabriel",   "gabriela", "giorgia", "giovanni",  "giulia",
    "guilherme", "helena",    "henrique",  "ines",     "isabel",  "isabella",  "jacopo",
    "joana",     "joao",      "jorge",     "jose",     "julia",   "laura",     "leonardo",
    "leticia",   "lorenzo",   "lucas",     "lucia",    "luca",    "luis",      "luisa",
    "manuel",    "mariana",   "marco",     "marcos",   "maria",   "mario",     "marta",
    "martina",   "mateus",    "matteo",    "miguel",   "monica",  "nicola",    "nuno",
    "olivia",    "paola",     "patricia",  "paulo",    "pedro",   "pietro",    "rafael",
    "raquel",    "ricardo",   "rita",      "roberta",  "roberto", "rodrigo",   "sara",
    "sergio",    "silvia",    "simone",    "sofia",    "stefano", "susana",    "teresa",
    "tiago",     "tommaso",   "valentina", "vasco",    "vitoria", "william",   "xavier",
    "yara",
};

constexpr std::array<std::string_view, 100> kLastNames = {
    "silva",     "santos",     "oliveira", "souza",     "rodrigues",  "ferreira",   "alves",
    "pereira",   "lima",       "gomes",    "costa",     "ribeiro",    "martins",    "carvalho",
    "almeida",   "lopes",      "soares",   "fernandes", "vieira",     "barbosa",    "rocha",
    "dias",      "nascimento", "andrade",  "moreira",   "nunes",      "marques",    "machado",
    "mendes",    "freitas",    "cardoso",  "ramos",     "goncalves",  "santana",    "teixeira",
    "rossi",     "russo",      "ferrari",  "esposito",  "bianchi",    "romano",     "colombo",
    "ricci",     "marino",     "greco",    "bruno",     "gallo",      "conti",      "deluca",
    "mancini",   "costa",      "giordano", "rizzo",     "lombardi",   "moretti",    "barbieri",
    "fontana",   "santoro",    "mariani",  "rinaldi",   "caruso",     "ferrara",    "galli",
    "martini",   "leone",      "longo",    "gentile",   "martinelli", "vitale",     "lombardo",
    "serra",     "coppola",    "desantis", "dangelo",   "marchetti",  "parisi",     "villa",
    "conte",     "ferraro",    "ferri",    "fabbri",    "bianco",     "marini",     "grasso",
    "valentini", "messina",    "sala",     "derosa",    "gatti",      "pellegrini", "palumbo",
    "sanna",     "farina",     "rizzi",    "monti",     "cattaneo",   "morelli",    "amato",
    "smith",     "jones",
};

constexpr std::array<CustomerDomain, 48> kDomains = {{
    {"acme.example", "Acme Corp"},
    {"globex.example", "Globex"},
    {"initech.example", "Initech"},
    {"umbrella.example", "Umbrella Health"},
    {"hooli.example", "Hooli"},
    {"vandelay.example", "Vandelay Industries"},
    {"stark.example", "Stark Logistics"},
    {"wayne.example", "Wayne Foundation"},
    {"cyberdyne.example", "Cyberdyne Systems"},
    {"soylent.example", "Soylent Foods"},
    {"tyrell.example", "Tyrell"},
    {"wonka.example", "Wonka Confeitaria"},
    {"prefeitura-aveiro.example", "Prefeitura de Aveiro"},
    {"comune-bergamo.example", "Comune di Bergamo"},
    {"clinica-sol.example", "Clínica Sol"},
    {"studio-rossi.example", "Studio Legale Rossi & Associati"},
    {"escola-lumiar.example", "Escola Básica do Lumiar"},
    {"farmacia-centrale.example", "Farmacia Centrale"},
    {"contabil-norte.example", "Contábil Norte Lda."},
    {"hotel-miramare.example", "Hotel Miramare"},
    {"transportes-ribeiro.example", "Transportes Ribeiro"},
    {"panificio-galli.example", "Panificio Galli"},
    {"oficina-central.example", "Oficina Central"},
    {"biblioteca-civica.example", "Biblioteca Civica"},
    {"mail.example", ""},
    {"posta.example", ""},
    {"correio.example", ""},
    {"home.example", ""},
    {"north-wind.example", "Northwind Traders"},
    {"contoso.example", "Contoso"},
    {"fabrikam.example", "Fabrikam"},
    {"tailspin.example", "Tailspin Toys"},
    {"adventure-works.example", "Adventure Works"},
    {"litware.example", ""},
    {"lucerne.example", "Lucerne Publishing"},
    {"proseware.example", ""},
    {"wingtip.example", "Wingtip Toys"},
    {"woodgrove.example", "Woodgrove Bank"},
    {"alpine-ski.example", ""},
    {"blue-yonder.example", "Blue Yonder Airlines"},
    {"coho-winery.example", "Coho Winery"},
    {"fourth-coffee.example", ""},
    {"graphic-design.example", ""},
    {"humongous.example", "Humongous Insurance"},
    {"margie-travel.example", "Margie's Travel"},
    {"northridge.example", ""},
    {"southridge.example", "Southridge Video"},
    {"trey-research.example", "Trey Research"},
}};

constexpr std::array<std::string_view, 40> kSubjects = {
    "Printer on the second floor does not print",
    "Cannot connect to the VPN",
    "Outlook keeps asking for my password",
    "Laptop very slow since the update",
    "Shared drive not visible",
    "New employee needs an account",
    "Excel crashes when opening a file",
    "Second monitor not detected",
    "Password expired",
    "Wi-Fi drops every few minutes",
    "Cannot join the video call",
    "Scanner sends empty pages",
    "Invoice software shows an error",
    "Phone not syncing email",
    "Blue screen at start-up",
    "Need access to the sales folder",
    "Keyboard types the wrong characters",
    "Backup failed last night",
    "Certificate warning in the browser",
    "Teams microphone not working",
    "A impressora não imprime",
    "Não consigo entrar no e-mail",
    "O computador está muito lento",
    "Erro ao abrir a fatura",
    "Preciso de acesso à pasta partilhada",
    "Sem internet no escritório",
    "La stampante non stampa",
    "Non riesco ad accedere alla posta",
    "Il PC si blocca all'avvio",
    "Errore nel programma di contabilità",
    "Connessione VPN assente",
    "Richiesta nuovo account",
    "Disk almost full",
    "License expired for the CAD program",
    "Calendar invitations not arriving",
    "Mouse pointer jumps around",
    "Projector in meeting room 3",
    "Cannot print PDF files",
    "Webcam shows a black image",
    "Two-factor code never arrives",
};

constexpr std::array<std::string_view, 36> kSentences = {
    "Since this morning the problem happens every time I try.",
    "I restarted the computer twice but nothing changed.",
    "It worked fine yesterday afternoon.",
    "The error message says: \"Access denied (0x80070005)\".",
    "Other people in the office have the same problem.",
    "I need this fixed before the meeting at 3 pm, please.",
    "I am working from home today.",
    "The screen freezes for about a minute and then comes back.",
    "I already tried unplugging the cable.",
    "The program closes without any message.",
    "My colleague said it might be the new update.",
    "Please call me on my mobile if you need more information.",
    "I attached a screenshot to the email I sent earlier.",
    "This is urgent: we cannot invoice customers until it works.",
    "The light on the device is blinking orange.",
    "It only happens with large files, small ones are fine.",
    "Desde ontem o programa não abre e aparece uma janela de erro.",
    "Já reiniciei o computador, mas o problema continua.",
    "Preciso disto resolvido hoje, por favor; temos clientes à espera.",
    "A ligação cai sempre que abro a aplicação de faturação.",
    "Os meus colegas conseguem imprimir, eu não.",
    "Ho già provato a spegnere e riaccendere il computer.",
    "Il problema si presenta solo quando sono collegato alla rete dell'ufficio.",
    "Mi serve una soluzione entro oggi, grazie mille.",
    "Compare un messaggio di errore che dice che il file è danneggiato.",
    "Anche i miei colleghi hanno lo stesso problema da stamattina.",
    "I have a deadline today and cannot open the project files.",
    "The update finished at 40 % and then stopped.",
    "Nothing in the event log that I can see.",
    "It says the license server cannot be reached.",
    "I can hear the others but they cannot hear me.",
    "It asks for my password again every five minutes.",
    "The fan is very loud and the laptop is hot.",
    "When I click Print nothing happens at all.",
    "The shared folder shows as disconnected with a red cross.",
    "I changed my password on Monday, maybe that is related.",
};

constexpr std::array<std::string_view, 8> kOs = {
    "Windows 11 23H2", "Windows 11 23H2", "Windows 11 22H2", "Windows 10 22H2",
    "Windows 10 22H2", "macOS 14.5",      "Ubuntu 24.04",    "Debian 12",
};
constexpr std::array<std::string_view, 4> kVersions = {"1.4.2", "1.4.2", "1.4.1", "1.3.0"};

template <typename T, std::size_t N>
const T& pick(Rng& rng, const std::array<T, N>& items) {
    return items[std::uniform_int_distribution<std::size_t>(0, N - 1)(rng)];
}

}  // namespace

std::span<const std::string_view> first_names() {
    return kFirstNames;
}
std::span<const std::string_view> last_names() {
    return kLastNames;
}
std::span<const CustomerDomain> customer_domains() {
    return kDomains;
}

std::string ticket_subject(Rng& rng) {
    if (std::uniform_int_distribution<int>(0, 11)(rng) == 0) return {};
    return std::string(pick(rng, kSubjects));
}

std::string ticket_description(Rng& rng) {
    // Log-normal: median ~170 characters, one in a hundred over ~1,500; capped well under
    // the server's 16,000.
    std::lognormal_distribution<double> length(std::log(170.0), 0.9);
    const auto wanted = static_cast<std::size_t>(std::min(12'000.0, std::max(12.0, length(rng))));
    std::string out;
    out.reserve(wanted + 120);
    while (out.size() < wanted) {
        if (!out.empty()) out += std::uniform_int_distribution<int>(0, 4)(rng) == 0 ? "\n" : " ";
        out += pick(rng, kSentences);
    }
    return out;
}

std::string device_hostname(Rng& rng, std::string_view first_name) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    switch (std::uniform_int_distribution<int>(0, 2)(rng)) {
        case 0: {
            std::string name = "DESKTOP-";
            for (int i = 0; i < 7; ++i)
                name += kHex[std::uniform_int_distribution<int>(0, 15)(rng)];
            return name;
        }
        case 1:
            return std::string(first_name) + "-laptop";
        default: {
            std::string name = "PC-";
            for (int i = 0; i < 4; ++i) name += kHex[std::uniform_int_distribution<int>(0, 9)(rng)];
            return name;
        }
    }
}

std::string_view device_os(Rng& rng) {
    return pick(rng, kOs);
}
std::string_view client_version(Rng& rng) {
    return pick(rng, kVersions);
}

}  // namespace helpline::bench::seed
