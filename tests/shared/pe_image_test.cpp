#include <catch2/catch.hpp>

#include "shared/pe_image.h"
#include "tests/support/synthetic_pe.h"

using namespace helpline;

namespace {

/// The headers of a PE image (PE32+ unless `pe32`) whose certificate table entry says
/// (offset, size).
Bytes pe_head(bool pe32, std::uint32_t offset, std::uint32_t size) {
    return test::synthetic_pe_head(pe32, offset, size);
}
using test::put_u16;
using test::put_u32;

}  // namespace

TEST_CASE("The certificate table entry is found in PE32+ and PE32 headers") {
    for (const bool pe32 : {false, true}) {
        const auto table = pe_certificate_table(pe_head(pe32, 5000, 1200));
        REQUIRE(table);
        CHECK(table->offset == 5000);
        CHECK(table->size == 1200);
        CHECK(table->entry_offset == 0x80 + 24 + (pe32 ? 96u : 112u) + 32);
        CHECK(pe_content_end(pe_head(pe32, 5000, 1200), 6200) == 5000);
    }
}

TEST_CASE("Only a certificate table that ends the file shortens a PE's content") {
    CHECK(pe_content_end(pe_head(false, 0, 0), 6200) == 6200);        // not signed
    CHECK(pe_content_end(pe_head(false, 5000, 1200), 7000) == 7000);  // something after it
    CHECK(pe_content_end(pe_head(false, 5000, 1200), 6000) == 6000);  // runs past the end
}

TEST_CASE("Files that are not PE images, or whose headers are cut, have no certificate table") {
    CHECK_FALSE(pe_certificate_table(Bytes{}));
    Bytes elf(1024, 0);
    elf[0] = 0x7F;
    CHECK_FALSE(pe_certificate_table(elf));
    CHECK(pe_content_end(elf, 9999) == 9999);

    auto head = pe_head(false, 5000, 1200);
    head[0x81] = 'X';  // MZ without a PE header: a DOS program
    CHECK_FALSE(pe_certificate_table(head));
    head = pe_head(false, 5000, 1200);
    put_u16(head, 0x80 + 24, 0x107);  // a ROM image's magic
    CHECK_FALSE(pe_certificate_table(head));
    head = pe_head(false, 5000, 1200);
    put_u32(head, 0x3C, 0xFFFFFF00);  // the PE header pointer points far away
    CHECK_FALSE(pe_certificate_table(head));
    head = pe_head(false, 5000, 1200);
    put_u32(head, 0x80 + 24 + 108, 4);  // only four directories: no certificate table
    CHECK_FALSE(pe_certificate_table(head));
    head = pe_head(false, 5000, 1200);
    head.resize(0x80 + 24 + 108 + 4 + 32 + 4);  // cut inside the entry
    CHECK_FALSE(pe_certificate_table(head));
}
