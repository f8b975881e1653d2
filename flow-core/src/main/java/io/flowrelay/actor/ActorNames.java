package io.flowrelay.actor;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;

/**
 * The living actors of one parent, or the system's top-level actors, by name: an open-addressing
 * table (linear probing) of the cells themselves and their names' hashes, keyed by
 * {@link ActorCell#name}. Names are unique in it; a cell leaves it when it ends.
 *
 * <p>Why not a {@code ConcurrentHashMap}: it keeps a 32-byte node per entry (an idle actor's
 * largest cost after its own objects, and a million objects more for each young collection to
 * copy) and, while a million actors are spawned, resizes twenty times, making nodes as it goes;
 * that was half of a spawn's time. Here an entry is a slot of 8 bytes (a reference and a hash) in
 * arrays at most three quarters full, 11 to 21 bytes per actor, and a resize streams through them.
 */
final class ActorNames {

    /*
     * Implementation notes
     *
     * Every access (insert, remove, snapshot) holds `lock`, taken by a CAS from 0 to 1 and left by
     * a release store of 0. A waiting thread spins, and yields now and then: the holder does a
     * few probes, or a resize, and never blocks, so nobody parks and no virtual thread pins its
     * carrier (no `synchronized`, DESIGN.md). The CAS and the release store order the plain
     * fields: table and size are read and written only under the lock.
     *
     * hashes, cells — null until the first insert; power-of-two arrays of the same length, slot
     *         i holding a cell and its name's mixed hash (0: free). At most three quarters full
     *         (grow 2x when an insert would pass that) and, above MIN_CAPACITY, at least an eighth
     *         full (shrink 2x on a remove below it), so a system that ended a million actors gives
     *         its memory back. A cell's home slot is the low bits of the hash: a shrink folds the
     *         upper half onto the lower, so removing in slot order (as a shutdown does) leaves the
     *         rest as sparse as before. (With the top bits a shrink merges neighbours, doubling
     *         the density of what is left, and ending a million actors that way took minutes.)
     *         A remove shifts the rest of the run back into the hole: no tombstones.
     */

    private static final int MIN_CAPACITY = 8;
    private static final int SPINS_BEFORE_YIELD = 64;

    private volatile int lock;
    private int[] hashes; // 0: a free slot
    private ActorCell<?>[] cells;
    private int size;

    /**
     * Adds {@code cell} unless a cell with its name is present.
     *
     * @return {@code null} if added, else the cell that holds the name
     */
    ActorCell<?> putIfAbsent(ActorCell<?> cell) {
        String name = cell.name;
        int h = hash(name);
        lock();
        try {
            int[] hs = hashes;
            if (hs == null) {
                hashes = hs = new int[MIN_CAPACITY];
                cells = new ActorCell<?>[MIN_CAPACITY];
            }
            int mask = hs.length - 1;
            for (int i = h & mask, x; (x = hs[i]) != 0; i = (i + 1) & mask) {
                if (x == h && cells[i].name.equals(name)) {
                    return cells[i];
                }
            }
            if ((size + 1) * 4L > hs.length * 3L) { // at most three quarters full
                resize(hs.length << 1);
            }
            insert(hashes, cells, h, cell);
            size++;
            return null;
        } finally {
            unlock();
        }
    }

    /** Removes {@code cell} itself (not another cell of the same name); {@code false} if absent. */
    boolean remove(ActorCell<?> cell) {
        int h = hash(cell.name);
        lock();
        try {
            int[] hs = hashes;
            ActorCell<?>[] cs = cells;
            if (hs == null) {
                return false;
            }
            int mask = hs.length - 1;
            int i = h & mask;
            for (; cs[i] != cell; i = (i + 1) & mask) {
                if (hs[i] == 0) {
                    return false;
                }
            }
            // shift back into the hole each later entry of the run whose home is not in (hole, j]
            for (int j = (i + 1) & mask, x; (x = hs[j]) != 0; j = (j + 1) & mask) {
                if (((j - x) & mask) >= ((j - i) & mask)) {
                    hs[i] = x;
                    cs[i] = cs[j];
                    i = j;
                }
            }
            hs[i] = 0;
            cs[i] = null;
            size--;
            if (hs.length > MIN_CAPACITY && size << 3 < hs.length) { // less than an eighth full
                resize(hs.length >>> 1);
            }
            return true;
        } finally {
            unlock();
        }
    }

    /** The cells present now, in no particular order: a copy, so the caller may spawn or stop meanwhile. */
    List<ActorCell<?>> snapshot() {
        lock();
        try {
            List<ActorCell<?>> out = new ArrayList<>(size);
            if (cells != null) {
                for (ActorCell<?> c : cells) {
                    if (c != null) {
                        out.add(c);
                    }
                }
            }
            return out;
        } finally {
            unlock();
        }
    }

    /** The number of cells present. */
    int size() {
        lock();
        try {
            return size;
        } finally {
            unlock();
        }
    }

    /** The slots of the table (for tests of the growth and shrink policy). */
    int capacity() {
        lock();
        try {
            return hashes == null ? 0 : hashes.length;
        } finally {
            unlock();
        }
    }

    /**
     * Moves every entry to new arrays of {@code capacity} slots. With the home in the low bits the
     * old arrays are read in order and the new ones written nearly in order (slot i goes to i or
     * i + old length when growing, to i mod the new length when shrinking); the stored hashes
     * spare a visit to each cell.
     */
    private void resize(int capacity) {
        int[] oldHashes = hashes;
        ActorCell<?>[] oldCells = cells;
        int[] hs = new int[capacity];
        ActorCell<?>[] cs = new ActorCell<?>[capacity];
        for (int i = 0; i < oldHashes.length; i++) {
            int x = oldHashes[i];
            if (x != 0) {
                insert(hs, cs, x, oldCells[i]);
            }
        }
        hashes = hs;
        cells = cs;
    }

    private static void insert(int[] hs, ActorCell<?>[] cs, int h, ActorCell<?> cell) {
        int mask = hs.length - 1;
        int i = h & mask;
        while (hs[i] != 0) {
            i = (i + 1) & mask;
        }
        hs[i] = h;
        cs[i] = cell;
    }

    /**
     * The name's hash, mixed by MurmurHash3's finaliser (similar names spread out; the home slot
     * is its low bits), and never 0, which marks a free slot.
     */
    private static int hash(String name) {
        int h = name.hashCode();
        h ^= h >>> 16;
        h *= 0x85EBCA6B;
        h ^= h >>> 13;
        h *= 0xC2B2AE35;
        h ^= h >>> 16;
        return h == 0 ? 1 : h;
    }

    private void lock() {
        for (int spins = 0; lock != 0 || !LOCK.compareAndSet(this, 0, 1); spins++) {
            if (spins % SPINS_BEFORE_YIELD == SPINS_BEFORE_YIELD - 1) {
                Thread.yield(); // the holder may have lost its CPU
            } else {
                Thread.onSpinWait();
            }
        }
    }

    private void unlock() {
        LOCK.setRelease(this, 0);
    }

    private static final VarHandle LOCK;

    static {
        try {
            LOCK = MethodHandles.lookup().findVarHandle(ActorNames.class, "lock", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
