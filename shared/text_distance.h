#pragma once
// "Did you mean" suggestions for misspelt names.

#include <string>
#include <string_view>
#include <vector>

namespace helpline {

/// Levenshtein edit distance.
std::size_t edit_distance(std::string_view a, std::string_view b);

/// The closest candidate to `word` when it is close enough to be a likely typo
/// (distance ≤ max(1, len/3)); empty otherwise.
std::string closest_match(std::string_view word, const std::vector<std::string_view>& candidates);

}  // namespace helpline
