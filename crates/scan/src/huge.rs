//! Tables looked up at random, in memory the kernel may back with huge pages.
//!
//! The names pass looks each capitalised word up in a table of a few MB (the words of up to
//! eight bytes of the name and place lists). Over 4 KiB pages such a table spans hundreds of
//! pages, so a lookup of a rare word misses the TLB as well as the caches: a fifth of the
//! names pass's time was that one load (SPEED.md, 12-07 morning). Placed in an anonymous
//! memory map advised for transparent huge pages (2 MiB), on Linux where the kernel's
//! `transparent_hugepage` setting is `madvise` or `always`, the table spans two or three pages.

use bytemuck::Pod;
use memmap2::MmapMut;

/// The size of a transparent huge page on x86-64 and most Linux targets: the map is aligned to
/// it, so that the kernel can back all of the table with huge pages.
const HUGE_PAGE: usize = 2 << 20;

/// A table of `T` in an anonymous memory map advised for huge pages, or on the heap where
/// there is no such map (another system, or the map failed).
pub(crate) struct HugeTable<T: Pod> {
    storage: Storage<T>,
}

enum Storage<T> {
    Map {
        map: MmapMut,
        /// Where the table starts in the map: its first huge-page boundary.
        offset: usize,
        /// The table's length in entries.
        len: usize,
    },
    Heap(Box<[T]>),
}

impl<T: Pod> HugeTable<T> {
    /// The table of `items`, copied into a map advised for huge pages where one can be made.
    pub(crate) fn new(items: Box<[T]>) -> HugeTable<T> {
        let bytes = std::mem::size_of_val(&*items);
        let storage = match Self::map(bytes) {
            Some((mut map, offset)) => {
                let copied = map
                    .get_mut(offset..offset + bytes)
                    .and_then(|target| bytemuck::try_cast_slice_mut::<u8, T>(target).ok())
                    .map(|target| target.copy_from_slice(&items))
                    .is_some();
                if copied {
                    Storage::Map {
                        map,
                        offset,
                        len: items.len(),
                    }
                } else {
                    Storage::Heap(items)
                }
            }
            None => Storage::Heap(items),
        };
        HugeTable { storage }
    }

    /// An anonymous map with room for `bytes` from a huge-page boundary, advised for huge
    /// pages, and that boundary's offset in it.
    #[cfg(target_os = "linux")]
    fn map(bytes: usize) -> Option<(MmapMut, usize)> {
        // Small tables stay on the heap: a huge page would be mostly empty.
        if bytes < HUGE_PAGE / 2 {
            return None;
        }
        // Whole huge pages from a boundary, and room to move to the first boundary: the kernel
        // backs only the aligned huge pages that lie wholly in the map.
        let map = MmapMut::map_anon(bytes.div_ceil(HUGE_PAGE) * HUGE_PAGE + HUGE_PAGE).ok()?;
        let start = map.as_ptr() as usize;
        let offset = (HUGE_PAGE - start % HUGE_PAGE) % HUGE_PAGE;
        // Only advice: where the kernel gives no huge pages, the table works the same.
        let _ = map.advise(memmap2::Advice::HugePage);
        Some((map, offset))
    }

    #[cfg(not(target_os = "linux"))]
    fn map(_bytes: usize) -> Option<(MmapMut, usize)> {
        None
    }

    pub(crate) fn as_slice(&self) -> &[T] {
        match &self.storage {
            Storage::Map { map, offset, len } => map
                .get(*offset..*offset + len * std::mem::size_of::<T>())
                .and_then(|bytes| bytemuck::try_cast_slice(bytes).ok())
                .unwrap_or(&[]),
            Storage::Heap(items) => items,
        }
    }

    pub(crate) fn as_mut_slice(&mut self) -> &mut [T] {
        match &mut self.storage {
            Storage::Map { map, offset, len } => map
                .get_mut(*offset..*offset + *len * std::mem::size_of::<T>())
                .and_then(|bytes| bytemuck::try_cast_slice_mut(bytes).ok())
                .unwrap_or(&mut []),
            Storage::Heap(items) => items,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Copy, Default, Debug, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
    #[repr(C, align(64))]
    struct Line {
        words: [u64; 8],
    }

    fn lines(n: usize) -> Box<[Line]> {
        (0..n)
            .map(|i| Line {
                words: [i as u64; 8],
            })
            .collect()
    }

    #[test]
    fn a_table_reads_back_what_it_was_made_of_and_keeps_what_is_written() {
        // Below the size a map is made for, at it, and over several huge pages.
        for n in [0, 1, 100, HUGE_PAGE / 2 / 64, 3 * HUGE_PAGE / 64 + 5] {
            let items = lines(n);
            let mut table = HugeTable::new(items.clone());
            assert_eq!(table.as_slice(), &items[..], "{n} lines");
            if let Some(last) = table.as_mut_slice().last_mut() {
                last.words[3] = 7;
            }
            assert_eq!(
                table.as_slice().last().map(|l| l.words[3]),
                n.checked_sub(1).map(|_| 7)
            );
        }
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_large_table_is_in_a_map_from_a_huge_page_boundary() {
        let table = HugeTable::new(lines(3 * HUGE_PAGE / 64 + 5));
        assert!(matches!(table.storage, Storage::Map { .. }));
        assert_eq!(table.as_slice().as_ptr() as usize % HUGE_PAGE, 0);
        let small = HugeTable::new(lines(100));
        assert!(matches!(small.storage, Storage::Heap(_)));
    }
}
