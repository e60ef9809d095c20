// CAMS step forms: a step's form is its type's form.
//
// Every step type has its own jam.py item (a detail of processes, generated from the CAMS
// field catalogue: STEP_FORMS above). The step form shows the step's common fields and,
// below them, the typed inputs of its type's item: numbers (jam.py refuses letters),
// H:M:S durations, yes/no boxes, choices and texts. The two rows are paired by step_key
// and saved together with the process.

var STEP_DURATION = /^\d{1,3}:[0-5]\d:[0-5]\d$/,
    STEP_FORM_FIELDS = ['position', 'step_type', 'name', 'date', 'operator', 'notes'];

function step_new_key() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function(b) {
        return ('0' + b.toString(16)).slice(-2);
    }).join('');
}

function step_form_of(steps) {
    return STEP_FORMS[steps.step_type.display_text] || null;
}

function step_values_validate(field) {
    var form = field.owner.step_form_info;
    if (!form || field.value === null || field.value === '') {
        return;
    }
    if (form.durations.indexOf(field.field_name) >= 0 && !STEP_DURATION.test(field.value)) {
        return 'a duration as H:M:S, e.g. 00:05:30';
    }
    if (form.choices[field.field_name] &&
        form.choices[field.field_name].indexOf(field.value) < 0) {
        return 'one of: ' + form.choices[field.field_name].join(', ');
    }
}

// The type's values row of the step being edited (located, or appended), in edit state.
function step_values_row(steps, form) {
    var values = steps.master.find(form.item);
    if (!values.active) {
        values.open();
    }
    values.step_form_info = form;
    values.on_field_validate = step_values_validate;
    if (values.locate('step_key', steps.step_key.value)) {
        values.edit();
    }
    else {
        values.append();
        values.step_key.value = steps.step_key.value;
    }
    return values;
}

function step_show_values(steps) {
    var form = step_form_of(steps),
        $box = steps.edit_form.find('.step-values');
    if (steps.step_values && steps.step_values.is_changing()) {
        steps.step_values.cancel();
    }
    steps.step_values = null;
    $box.empty();
    if (!form) {
        $box.append($('<p class="muted">').text('Choose the step type to see its fields.'));
        return;
    }
    if (!steps.step_key.value) {
        steps.step_key.value = step_new_key();
    }
    steps.step_values = step_values_row(steps, form);
    $box.append($('<h5 class="step-values-title">').text(steps.step_type.display_text));
    steps.step_values.create_inputs($('<div>').appendTo($box),
        {fields: form.fields, col_count: form.fields.length > 8 ? 3 : 2});
    // each input says which CAMS field it holds (its label), in jam.py 5 and 7 alike
    form.fields.forEach(function(name) {
        $box.find('input.' + name + ', select.' + name + ', textarea.' + name).attr(
            'data-cams-field', steps.step_values.field_by_name(name).field_caption);
    });
}

function step_form_created(steps) {
    steps.edit_options.fields = STEP_FORM_FIELDS;
    steps.edit_options.width = 1100;
}

function step_form_shown(steps) {
    var $body = steps.edit_form.find('.edit-body, .modal-body').first();
    if (!$body.find('.step-values').length) {
        $body.append('<div class="step-values"></div>');
    }
    step_show_values(steps);
}

function step_field_changed(field) {
    if (field.field_name === 'step_type' && field.owner.edit_form) {
        step_show_values(field.owner);
    }
}

function step_before_post(steps) {
    var values = steps.step_values;
    if (values && values.is_changing()) {
        values.post();
    }
}

function step_form_closed(steps) {
    if (steps.step_values && steps.step_values.is_changing()) {
        steps.step_values.cancel();
    }
    steps.step_values = null;
}

// Wire the steps detail of a process form (call from on_edit_form_created).
function step_forms_wire(item) {
    var steps = item.find('steps');
    if (!steps || steps.step_forms_wired) {
        return;
    }
    steps.step_forms_wired = true;
    steps.on_edit_form_created = step_form_created;
    steps.on_edit_form_shown = step_form_shown;
    steps.on_field_changed = step_field_changed;
    steps.on_before_post = step_before_post;
    steps.on_edit_form_closed = step_form_closed;
}
