// The KV cells' bookkeeping on its own: which cells are free, which positions each sequence
// holds, and how remove / copy / keep change that.
#include <gtest/gtest.h>

#include "runtime/kv_cells.h"

namespace lamina {
namespace {

TEST(KvCells, OccupyTakesTheLowestFreeCellAndReleaseGivesItBack) {
    KvCells cells(8);
    EXPECT_EQ(cells.n_free(), 8);
    EXPECT_EQ(cells.extent(), 0);
    for (int32_t p = 0; p < 5; ++p) EXPECT_EQ(cells.occupy(p, 0), p);
    cells.release(1);
    cells.release(3);
    EXPECT_EQ(cells.n_free(), 5);
    EXPECT_EQ(cells.extent(), 5);
    EXPECT_EQ(cells.occupy(0, 1), 1);
    EXPECT_EQ(cells.occupy(1, 1), 3);
    EXPECT_EQ(cells.occupy(2, 1), 5);
    cells.release(4);
    cells.release(4);  // twice is harmless
    EXPECT_EQ(cells.n_free(), 3);
    EXPECT_EQ(cells.pos_max(0), 2);
    EXPECT_EQ(cells.pos_max(1), 2);
    EXPECT_EQ(cells.pos_min(1), 0);
    EXPECT_EQ(cells.pos_max(2), -1);
}

TEST(KvCells, CopySharesCellsAndRemoveFreesACellOnlyWhenNoSequenceHoldsIt) {
    KvCells cells(16);
    for (int32_t p = 0; p < 6; ++p) cells.occupy(p, 0);
    cells.copy(0, 3, 0, 4);  // sequence 3 shares positions 0..3
    EXPECT_EQ(cells.n_free(), 10);
    EXPECT_EQ(cells.pos_max(3), 3);
    EXPECT_EQ(cells.sequences()[2], sequence_bit(0) | sequence_bit(3));
    cells.remove(0, 2, -1);  // sequence 0 keeps 0..1; 2..3 stay for sequence 3, 4..5 are freed
    EXPECT_EQ(cells.pos_max(0), 1);
    EXPECT_EQ(cells.pos_max(3), 3);
    EXPECT_EQ(cells.n_free(), 12);
    std::vector<int32_t> max;
    cells.pos_max_all(max);
    ASSERT_EQ(max.size(), static_cast<size_t>(kMaxSequences));
    EXPECT_EQ(max[0], 1);
    EXPECT_EQ(max[3], 3);
    EXPECT_EQ(max[1], -1);
    cells.remove(-1, 1, 3);  // every sequence drops positions 1..2
    EXPECT_EQ(cells.positions()[1], -1);
    EXPECT_EQ(cells.positions()[2], -1);
    EXPECT_EQ(cells.pos_max(3), 3);
    EXPECT_EQ(cells.n_free(), 14);
}

TEST(KvCells, KeepDropsEveryOtherSequence) {
    KvCells cells(10);
    for (int32_t p = 0; p < 3; ++p) cells.occupy(p, 0);
    cells.copy(0, 1, 0, -1);
    for (int32_t p = 3; p < 5; ++p) cells.occupy(p, 1);
    for (int32_t p = 0; p < 2; ++p) cells.occupy(p, 2);
    cells.keep(1);
    EXPECT_EQ(cells.pos_max(0), -1);
    EXPECT_EQ(cells.pos_max(2), -1);
    EXPECT_EQ(cells.pos_max(1), 4);
    EXPECT_EQ(cells.n_free(), 5);
    EXPECT_EQ(cells.sequences()[0], sequence_bit(1));
    EXPECT_EQ(cells.extent(), 5);
    // Freed cells are found again, lowest first.
    EXPECT_EQ(cells.occupy(0, 7), 5);
}

}  // namespace
}  // namespace lamina
