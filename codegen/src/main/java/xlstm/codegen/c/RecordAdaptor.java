package xlstm.codegen.c;

import org.stringtemplate.v4.Interpreter;
import org.stringtemplate.v4.ModelAdaptor;
import org.stringtemplate.v4.ST;
import org.stringtemplate.v4.misc.STNoSuchPropertyException;

import java.lang.reflect.RecordComponent;

/**
 * Lets StringTemplate read record components ({@code $k.entry$} calls {@code k.entry()}). Without it ST4 looks
 * for getters/fields only and renders a record's properties EMPTY, silently; this adaptor fails loudly instead.
 */
final class RecordAdaptor implements ModelAdaptor<Record> {
    @Override
    public Object getProperty(Interpreter interp, ST self, Record model, Object property, String propertyName)
            throws STNoSuchPropertyException {
        for (RecordComponent c : model.getClass().getRecordComponents()) {
            if (c.getName().equals(propertyName)) {
                try {
                    c.getAccessor().setAccessible(true);
                    return c.getAccessor().invoke(model);
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException("cannot read " + propertyName + " of " + model.getClass().getSimpleName(), e);
                }
            }
        }
        throw new IllegalArgumentException("template reads unknown property '" + propertyName + "' of "
                + model.getClass().getSimpleName());
    }
}
