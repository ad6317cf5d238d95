#pragma once
// Reading a brand's .deb or .tar.gz back (libarchive), so that `helpline-brand inspect`
// can verify the programs inside a package it did not build; its Windows installer is read
// with 7-Zip (nsis_reader.h).

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "shared/bytes.h"
#include "shared/result.h"
#include "shared/stamp.h"

namespace helpline::brand {

enum class PackageKind { none, deb, tar_gz, nsis };

/// What a file is, from its first bytes: a Debian package (ar), a gzip-compressed tar, an
/// NSIS installer (setup.exe), or none of these (a program, say).
PackageKind sniff_package_kind(const std::filesystem::path& file);

struct PackagedProgram {
    std::string path;  ///< inside the archive, without a leading "./"
    Bytes data;
};

/// A remote-session backend in a package (an executable ELF file in a libexec/ folder):
/// copied from the client base as it is, never branded.
struct PackagedBackend {
    std::string path;  ///< inside the archive, without a leading "./"
    std::uint64_t size = 0;
};

struct PackageContents {
    PackageKind kind = PackageKind::none;
    std::string control;                    ///< a .deb's control file; empty for a .tar.gz
    /// executable ELF files outside libexec/, in order; an installer's bin/*.exe
    std::vector<PackagedProgram> programs;
    std::vector<PackagedBackend> backends;  ///< in archive order
};

/// Reads `file` (a .deb, .tar.gz or NSIS installer) and the programs it holds.
Result<PackageContents> read_package(const std::filesystem::path& file, PackageKind kind);

/// A field of a control file ("Package", "Version", ...); empty when absent.
std::string control_field(std::string_view control, std::string_view name);

/// The stamp at the end of a program held in memory, verified like read_stamp() verifies a
/// file's (signature, then the build's trusted keys).
Result<StampContent> read_stamp_bytes(ByteView program);

}  // namespace helpline::brand
