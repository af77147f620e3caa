#pragma once
// The evaluation splits, decided per image by a hash of (seed, id) so every
// stage and `realsyn eval` agree without storing them: the test split
// (eval.holdout) that `eval` measures on, and the validation split
// (eval.validation) that `eval --tune` tunes on. Neither contributes pairs
// to the built-in encoder's fit, nor its own texts to retrieval's queries.

#include <QtGlobal>

namespace rs {

// Images in the test split: a `fraction` of all, by hash of (seed, id).
bool isHeldOut(qint64 imageId, double fraction, quint64 seed);
// Images of the validation split: never held out (disjoint from the test
// split), then a `fraction` of the rest by another hash of (seed, id).
bool isValidation(qint64 imageId, double holdout, double fraction, quint64 seed);

} // namespace rs
