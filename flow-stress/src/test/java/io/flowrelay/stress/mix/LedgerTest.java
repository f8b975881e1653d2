package io.flowrelay.stress.mix;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The ledger catches every kind of broken invariant: a stress test that cannot fail proves nothing. */
@org.junit.jupiter.api.Tag("stress")
class LedgerTest {

    static final long A0 = Ledger.item(0, 0);
    static final long A1 = Ledger.item(0, 1);
    static final long B0 = Ledger.item(1, 0);

    private static Ledger ledger() {
        Ledger l = new Ledger();
        l.sent(A0, Ledger.Sent.ACCEPTED);
        l.sent(A1, Ledger.Sent.ACCEPTED);
        l.sent(B0, Ledger.Sent.REFUSED);
        return l;
    }

    private static String check(Ledger l, long uncounted) {
        l.check("test", new Stats(), uncounted);
        return String.join("\n", l.violations());
    }

    @Test
    void balancedBooksPass() {
        Ledger l = ledger();
        l.consumed(List.of(A0));
        l.dropped(A1);
        assertEquals("", check(l, 0));
    }

    @Test
    void aLostItemIsCaught() {
        Ledger l = ledger();
        l.consumed(List.of(A0));
        assertTrue(check(l, 0).contains("neither delivered"));
    }

    @Test
    void aLostItemMayBeCountedInBulk() {
        Ledger l = ledger();
        l.consumed(List.of(A0));
        assertEquals("", check(l, 1));
    }

    @Test
    void aDuplicateIsCaught() {
        Ledger l = ledger();
        l.consumed(List.of(A0, A1));
        l.consumed(List.of(A1));
        assertTrue(check(l, 0).contains("2 times"));
    }

    @Test
    void aRefusedItemThatArrivesIsCaught() {
        Ledger l = ledger();
        l.consumed(List.of(A0, A1, B0));
        assertTrue(check(l, 0).contains("refused but delivered"));
    }

    @Test
    void reorderingWithinAProducerIsCaught() {
        Ledger l = ledger();
        l.consumed(List.of(A1, A0));
        assertTrue(check(l, 0).contains("per-producer order"));
    }

    @Test
    void aPendingSendIsCaught() {
        Ledger l = ledger();
        l.sent(A1, Ledger.Sent.PENDING);
        l.consumed(List.of(A0));
        assertTrue(check(l, 0).contains("still pending"));
    }

    @Test
    void anItemNobodySentIsCaught() {
        Ledger l = ledger();
        l.consumed(List.of(A0, A1, Ledger.item(7, 7)));
        assertTrue(check(l, 0).contains("never sent"));
    }
}
