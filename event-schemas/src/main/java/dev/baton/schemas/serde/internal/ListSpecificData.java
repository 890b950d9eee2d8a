package dev.baton.schemas.serde.internal;

import java.util.ArrayList;
import java.util.Collection;
import org.apache.avro.Conversion;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;

/**
 * The generated classes' data model (same logical-type conversions) that decodes arrays into
 * {@link ArrayList}s instead of Avro's {@code GenericData.Array}. Avro's array {@code equals} compares
 * through a conversion-less model and throws on logical types inside unions (e.g. an optional
 * timestamp in a list of records), which would make decoded events unequal to themselves.
 */
public final class ListSpecificData extends SpecificData {

    public ListSpecificData(Class<?> type) {
        super(type.getClassLoader());
        for (Conversion<?> c : SpecificData.getForClass(type).getConversions()) {
            addLogicalTypeConversion(c);
        }
    }

    @Override
    public Object newArray(Object old, int size, Schema schema) {
        if (old instanceof ArrayList<?> list) {
            list.clear();
            return list;
        }
        if (old instanceof Collection<?> c) {
            c.clear();
            return c;
        }
        return new ArrayList<>(size);
    }
}
