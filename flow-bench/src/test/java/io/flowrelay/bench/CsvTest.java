package io.flowrelay.bench;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The result files' CSV: subjects and checks with commas and quotes survive a write and a read. */
class CsvTest {

    @Test
    void fieldsWithCommasAndQuotesAreQuotedAndReadBack() {
        String[] row = {"T1", "JCTools SpscArrayQueue, spinning (limit)", "say \"hi\"", "", "483.8"};
        String line = Csv.line(row);
        assertEquals("T1,\"JCTools SpscArrayQueue, spinning (limit)\",\"say \"\"hi\"\"\",,483.8", line);
        assertArrayEquals(row, Csv.split(line));
    }

    @Test
    void plainFieldsStayPlain() {
        assertEquals("T8,T8 bytes/op,0.003,,0.003,1.000,lower,PASS", Csv.line("T8", "T8 bytes/op", "0.003", "", "0.003", "1.000", "lower", "PASS"));
        assertEquals(8, Csv.split("T8,T8 bytes/op,0.003,,0.003,1.000,lower,PASS").length);
    }
}
