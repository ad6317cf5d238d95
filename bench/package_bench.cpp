// bench/package: a brand's .deb + .tar.gz by `helpline-brand package` against
// `dpkg-deb --build` of the same file tree with the same compression, in one run.
// Target (issue 13): median(package) / median(dpkg-deb) <= 1.5.
//
// usage: package_bench HELPLINE_BRAND PROFILE_DIR KEY CLIENT_BASE [RUNS]
//
// The tree dpkg-deb builds is the one helpline-brand put in its .deb (extracted with
// `dpkg-deb --raw-extract`, control files included), so both compress the same bytes:
// xz at level 6 (dpkg-deb's default, and what helpline-brand uses for the .deb), owner
// root:root, SOURCE_DATE_EPOCH set for both. helpline-brand does more in its time: it
// stamps both programs, renders eight PNG icons with rsvg-convert, writes the .tar.gz
// (gzip -6) as well, and fsyncs its outputs.

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <stdexcept>

#include "bench/bench_util.h"

namespace fs = std::filesystem;
using helpline::bench::median;
using helpline::bench::time_command;

int main(int argc, char** argv) {
    if (argc < 5) {
        std::cerr << "usage: package_bench HELPLINE_BRAND PROFILE_DIR KEY CLIENT_BASE [RUNS]\n";
        return 2;
    }
    try {
        const std::string brand = argv[1];
        const std::string profile = argv[2];
        const std::string key = argv[3];
        const std::string base = argv[4];
        const int runs = argc > 5 ? std::stoi(argv[5]) : 11;
        ::setenv("SOURCE_DATE_EPOCH", "1767225600", 1);

        char dir_template[] = "/tmp/helpline-package-bench-XXXXXX";
        if (::mkdtemp(dir_template) == nullptr)
            throw std::runtime_error("cannot create a folder in /tmp");
        const fs::path dir = dir_template;
        struct Cleanup {
            fs::path dir;
            ~Cleanup() {
                std::error_code ec;
                fs::remove_all(dir, ec);
            }
        } cleanup{dir};
        auto package = [&](const fs::path& out, const std::string& formats) {
            return time_command({brand, "package", "--profile", profile, "--key", key, "--client",
                                 base, "--format", formats, "--out", out.string()});
        };
        package(dir / "first", "deb,tgz");
        fs::path deb, tgz;
        for (const auto& e : fs::directory_iterator(dir / "first"))
            (e.path().extension() == ".deb" ? deb : tgz) = e.path();
        time_command({"dpkg-deb", "--raw-extract", deb.string(), (dir / "tree").string()});
        std::uintmax_t tree_bytes = 0;
        for (const auto& e : fs::recursive_directory_iterator(dir / "tree"))
            if (e.is_regular_file() && !e.is_symlink()) tree_bytes += e.file_size();

        std::vector<double> dpkg, both, deb_only;
        for (int i = 0; i < runs; ++i) {  // interleaved so drift hits all three alike
            dpkg.push_back(time_command({"dpkg-deb", "--root-owner-group", "-Zxz", "-z6", "--build",
                                         (dir / "tree").string(), (dir / "dpkg.deb").string()}));
            both.push_back(package(dir / "both", "deb,tgz"));
            deb_only.push_back(package(dir / "deb", "deb"));
        }
        const double m_dpkg = median(dpkg), m_both = median(both), m_deb = median(deb_only);
        std::printf("package benchmark: the demo brand, %.1f MB of files, %d runs each, medians\n",
                    static_cast<double>(tree_bytes) / 1e6, runs);
        std::printf("  dpkg-deb --build (baseline, xz -6)        %8.1f ms  %8ju bytes\n",
                    m_dpkg * 1e3, fs::file_size(dir / "dpkg.deb"));
        std::printf("  helpline-brand package (.deb + .tar.gz)   %8.1f ms  %8ju + %ju bytes\n",
                    m_both * 1e3, fs::file_size(deb), fs::file_size(tgz));
        std::printf("  helpline-brand package --format deb       %8.1f ms\n", m_deb * 1e3);
        std::printf("  ratio package / dpkg-deb                  %8.2f   (target <= 1.5)\n",
                    m_both / m_dpkg);
        std::printf("  ratio package --format deb / dpkg-deb     %8.2f\n", m_deb / m_dpkg);
    } catch (const std::exception& e) {
        std::cerr << "package_bench: " << e.what() << '\n';
        return 1;
    }
    return 0;
}
