// The stamp reader (shared/stamp.*, stamp_file.cpp, pe_image.*): the input is a whole
// client executable as the customer's computer holds it, perhaps branded, perhaps signed
// with Authenticode, perhaps tampered with. Read both ways: from memory, as the tests do,
// and from a file, as the client reads itself (read_stamp, with the PE signature's
// padding). The fuzzer cannot forge a signature: it reaches every check before it.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "shared/pe_image.h"
#include "shared/stamp.h"

namespace {

const std::filesystem::path& scratch_file() {
    // In memory (/dev/shm) where there is one: on the disk, writing the file each time makes
    // the target some fifty times slower. Never destroyed, so that it can be removed at exit.
    static const auto* path = [] {
        const char* tmp = std::getenv("TMPDIR");
        std::error_code ec;
        const std::filesystem::path dir = std::filesystem::is_directory("/dev/shm", ec) ? "/dev/shm"
                                          : tmp && *tmp                                ? tmp
                                                                                       : "/tmp";
        const auto* made = new std::filesystem::path(
            dir / ("helpline-fuzz-stamp-" + std::to_string(::getpid()) + ".exe"));
        std::atexit([] {
            std::error_code ignored;
            std::filesystem::remove(scratch_file(), ignored);
        });
        return made;
    }();
    return *path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace helpline;
    const ByteView file(data, size);

    const auto head = file.first(std::min(size, kPeHeadSize));
    (void)pe_certificate_table(head);
    const std::uint64_t end = pe_content_end(head, size);
    if (end > size) std::abort();  // the program's bytes cannot end past the file

    if (size >= kStampFooterSize) {
        const auto where = locate_stamp(file.last(kStampFooterSize), size);
        if (where) {
            if (where->offset > size) std::abort();
            (void)parse_stamp(file.subspan(static_cast<std::size_t>(where->offset)), *where);
        }
    }

    {
        std::ofstream out(scratch_file(), std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    }
    (void)read_stamp_location(scratch_file());
    (void)read_stamp(scratch_file());
    return 0;
}
