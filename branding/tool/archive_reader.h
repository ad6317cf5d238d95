#pragma once
// Reading a brand's .deb or .tar.gz back (libarchive), so that `helpline-brand inspect`
// can verify the programs inside a package it did not build.

#include <filesystem>
#include <string>
#include <vector>

#include "shared/bytes.h"
#include "shared/result.h"
#include "shared/stamp.h"

namespace helpline::brand {

enum class PackageKind { none, deb, tar_gz };

/// What a file is, from its first bytes: a Debian package (ar), a gzip-compressed tar, or
/// neither (a program, say).
PackageKind sniff_package_kind(const std::filesystem::path& file);

struct PackagedProgram {
    std::string path;  ///< inside the archive, without a leading "./"
    Bytes data;
};

struct PackageContents {
    PackageKind kind = PackageKind::none;
    std::string control;                    ///< a .deb's control file; empty for a .tar.gz
    std::vector<PackagedProgram> programs;  ///< executable ELF files, in archive order
};

/// Reads `file` (a .deb or .tar.gz) and the programs it holds.
Result<PackageContents> read_package(const std::filesystem::path& file, PackageKind kind);

/// A field of a control file ("Package", "Version", ...); empty when absent.
std::string control_field(std::string_view control, std::string_view name);

/// The stamp at the end of a program held in memory, verified like read_stamp() verifies a
/// file's (signature, then the build's trusted keys).
Result<StampContent> read_stamp_bytes(ByteView program);

}  // namespace helpline::brand
