// NOMAD upload log: readable errors, file counts and outcome labels in the log list.

var OUTCOME_CLASS = {processed: 'label-success', published: 'label-success',
    exported: 'label-success', failed: 'label-important', invalid: 'label-important',
    interrupted: 'label-warning', refused: 'label-warning', limit: 'label-warning'};

function parse_json_list(text) {
    try {
        var value = JSON.parse(text || '[]');
        return $.isArray(value) ? value : [];
    }
    catch (e) {
        return [];
    }
}

function error_sentence(error) {
    if (!error || typeof error !== 'object') {
        return String(error || '');
    }
    return error.message || JSON.stringify(error);
}

var LOG_COLUMNS = ['time', 'process', 'user_login', 'action', 'outcome', 'upload_id', 'errors'];

function on_view_form_created(item) {
    var present = LOG_COLUMNS.filter(function(name) { return item.field_by_name(name); });
    if (present.length) {
        item.view_options.fields = present;
    }
    item.table_options.column_width = {time: '11em', upload_id: '16em', action: '6em',
        outcome: '7em'};
}

// The log is a permanent record: no Edit button (rows are opened read-only by a double
// click).
function on_view_form_shown(item) {
    item.view_form.find('#edit-btn, #new-btn, #delete-btn').hide();
}

function two(n) {
    return (n < 10 ? '0' : '') + n;
}

// CAMS stores the facility's local time (CAMS_TIMEZONE): shown as stored, to the second.
function log_time_text(value) {
    return value.getFullYear() + '-' + two(value.getMonth() + 1) + '-' +
        two(value.getDate()) + ' ' + two(value.getHours()) + ':' + two(value.getMinutes()) +
        ':' + two(value.getSeconds());
}

function on_field_get_html(field) {
    var list;
    if (field.field_name === 'time' && field.value) {
        return $('<span class="log-time">').text(log_time_text(field.value)).prop('outerHTML');
    }
    if (field.field_name === 'upload_id' && field.value) {
        return $('<span class="log-upload-id">').text(field.value).prop('outerHTML');
    }
    if (field.field_name === 'errors' && field.value) {
        list = parse_json_list(field.value).map(error_sentence);
        return $('<span class="text-error">').attr('title', list.join('\n'))
            .text(list.join(' | ')).prop('outerHTML');
    }
    if (field.field_name === 'files' && field.value) {
        list = parse_json_list(field.value);
        return $('<span>').attr('title', list.join('\n')).text(list.length + ' file(s)')
            .prop('outerHTML');
    }
    if (field.field_name === 'outcome' && field.value) {
        return $('<span class="label">').addClass(OUTCOME_CLASS[field.value] || '')
            .text(field.value).prop('outerHTML');
    }
}
