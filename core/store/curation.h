#pragma once
// Curator decisions: accept / reject of a sample and edited synthetic text.
// Stored apart from every automatic decision and always winning over them;
// no stage ever writes this table, so they survive re-running any stage and
// re-ingesting a changed source (image ids are keyed by file path).

#include "core/util/result.h"

#include <QHash>
#include <QString>

#include <utility>
#include <vector>

namespace rs {

class ProjectStore;

enum class CuratorDecision { Accept, Reject, Clear };

Status setCuratorDecision(ProjectStore &store, qint64 imageId, CuratorDecision decision);
// Several decisions in one transaction (a batch action, or undoing one):
// all are stored or none is; an unknown image id fails the whole batch.
Status setCuratorDecisions(ProjectStore &store, const std::vector<std::pair<qint64, CuratorDecision>> &decisions);
// The stored decision of each id (Clear where there is none), for undo.
Result<QHash<qint64, CuratorDecision>> curatorDecisions(ProjectStore &store, const std::vector<qint64> &imageIds);
// The curator's stored edit of the synthetic text; empty when there is none.
Result<QString> editedSyntheticText(ProjectStore &store, qint64 imageId);
// "accept" | "reject" | "clear" <-> CuratorDecision (the GUI's and CLI's words).
CuratorDecision curatorDecisionFromText(const QString &text);
QString curatorDecisionText(CuratorDecision decision);
// An empty text clears the edit (the generator's text applies again).
Status setEditedSyntheticText(ProjectStore &store, qint64 imageId, const QString &text);

// Duplicate keepers: the image the curator chose to keep of its
// near-duplicate groups (perceptual-hash and embedding groups alike). The
// image decision kernel (core/extract/imagefilters.h) prefers a keeper over
// the largest member whenever it regroups, so the choice wins on every
// re-run of extract or embed and after any setting round trip. Changing
// keepers does not re-decide by itself: chooseDuplicateKeeper()
// (core/pipeline/duplicatereview.h) stores and re-decides in one step.
// Each entry is (image id, is a keeper); ids must exist; one transaction.
Status setDuplicateKeepers(ProjectStore &store, const std::vector<std::pair<qint64, bool>> &keepers);
// Every keeper, ascending.
Result<std::vector<qint64>> duplicateKeepers(ProjectStore &store);

} // namespace rs
