// Writes the binary seeds of fuzz/corpus/stamp and fuzz/corpus/envelope: real stamps and
// envelopes signed with the test key (tests/fixtures/keys), of the demo profile and a small
// one, on a fake ELF base and on PE images with and without an Authenticode table. Run by
// hand when the formats change: build/fuzz/fuzz/make_seeds fuzz/corpus
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "shared/envelope.h"
#include "shared/stamp.h"
#include "tests/support/synthetic_pe.h"

namespace fs = std::filesystem;
using namespace helpline;

namespace {

std::string read_text(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write(const fs::path& path, const void* data, std::size_t size) {
    fs::create_directories(path.parent_path());
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(static_cast<const char*>(data), static_cast<std::streamsize>(size));
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: make_seeds CORPUS_DIR (fuzz/corpus)\n");
        return 2;
    }
    const fs::path out = argv[1];
    const fs::path source = HELPLINE_SOURCE_DIR;
    auto key = SigningKey::load(source / "tests/fixtures/keys/test-signing-key.pem");
    if (!key) {
        std::fprintf(stderr, "%s\n", key.error().message.c_str());
        return 1;
    }
    const std::string demo = read_text(source / "branding/profiles/demo/profile.json");
    const std::string logo = read_text(source / "branding/profiles/demo/logo.svg");
    const std::vector<Asset> demo_assets = {{"logo.svg", Bytes(logo.begin(), logo.end())}};
    const std::string small = R"({"schema":1,"id":"acme"})";
    const std::vector<Asset> small_assets = {{"a.txt", {'h', 'i'}}, {"b.bin", {}}};

    const auto stamp_demo = build_stamp(demo, demo_assets, *key);
    const auto stamp_small = build_stamp(small, small_assets, *key);
    const auto stamp_bare = build_stamp(small, {}, *key);
    if (!stamp_demo || !stamp_small || !stamp_bare) return 1;

    const Bytes elf = {0x7F, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    const auto stamped = [&](Bytes base, const Bytes& stamp) {
        base.insert(base.end(), stamp.begin(), stamp.end());
        return base;
    };
    bool all_read = true;
    const auto save = [&](const char* name, const Bytes& bytes) {
        write(out / "stamp" / name, bytes.data(), bytes.size());
        // Each seed must be what it claims: a stamp read back, or no stamp at all.
        const bool is_stamped = read_stamp(out / "stamp" / name).ok();
        if (is_stamped != (std::string(name) != "elf-unstamped")) {
            std::fprintf(stderr, "seed %s: read_stamp gives the wrong answer\n", name);
            all_read = false;
        }
    };
    save("elf-demo", stamped(elf, *stamp_demo));
    save("elf-small", stamped(elf, *stamp_small));
    save("stamp-only", *stamp_bare);
    save("elf-unstamped", elf);

    // A PE image, unsigned, then signed after stamping: padding to 8 bytes and a table.
    const std::size_t entry = test::synthetic_pe_certificate_entry();
    const Bytes pe = test::synthetic_pe_head(false, 0, 0, 512);
    save("pe-unsigned", stamped(pe, *stamp_small));
    Bytes signed_pe = stamped(pe, *stamp_small);
    while (signed_pe.size() % 8 != 0) signed_pe.push_back(0);
    const auto table = static_cast<std::uint32_t>(signed_pe.size());
    const Bytes certificate = {16, 0, 0, 0, 0, 2, 2, 0, 0x30, 0x82, 0, 0, 0, 0, 0, 0};
    signed_pe.insert(signed_pe.end(), certificate.begin(), certificate.end());
    test::put_u32(signed_pe, entry, table);
    test::put_u32(signed_pe, entry + 4, static_cast<std::uint32_t>(certificate.size()));
    save("pe-signed", signed_pe);

    const auto save_text = [&](const char* name, const std::string& text) {
        write(out / "envelope" / name, text.data(), text.size());
        if (!parse_envelope(text)) {
            std::fprintf(stderr, "seed %s: parse_envelope refuses it\n", name);
            all_read = false;
        }
    };
    // An envelope's profile names its id and revision (server/api/profiles_api.cpp).
    const std::string revised = R"({"schema":1,"id":"acme","revision":3})";
    save_text("demo.json", make_envelope("demo-support", 1, demo, demo_assets, *key));
    save_text("small.json", make_envelope("acme", 3, revised, small_assets, *key));
    save_text("no-assets.json", make_envelope("acme", 3, revised, {}, *key));
    return all_read ? 0 : 1;
}
