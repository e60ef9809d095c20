// CAMS processes: the NOMAD part of the web interface.
//
// Adds "Upload FAIR", "Publish" and "Export" to the process list (view form) and the
// process form (edit form), shows the upload's progress and outcome in a panel without
// reloading the page, and shows the NOMAD status and link as columns of the list.
// Everything NOMAD-related lives in functions named nomad_*; an existing CAMS client
// module only needs the one-line event handlers at the bottom (docs/web-ui.md).

var NOMAD = {
    upload_func: 'upload_fair',
    status_func: 'nomad_state',
    publish_func: 'publish_fair',
    export_func: 'export_zip',
    lineage_func: 'nomad_lineage',
    rights_func: 'my_rights',
    owner_field: 'owner_login',
    poll_ms: 700,
    busy: ['queued', 'uploading', 'processing'],
    progress: {'not uploaded': 0, 'queued': 10, 'uploading': 40, 'processing': 70,
        'processed': 100, 'failed': 100, 'published': 100},
    list_columns: ['nomad_status', 'nomad_link', 'nomad_uploaded_at'],
    max_embargo_months: 36,
    steps_detail: 'steps',
    form_fields: ['nomad_status', 'nomad_upload_id', 'nomad_link', 'nomad_message',
        'nomad_uploaded_at', 'nomad_published_at']
};

// ---- the panel that shows status, progress, link and errors ----------------------

function nomad_panel_html() {
    return '<div class="nomad-panel well well-small" style="margin: 8px 0; display: none">' +
        '<div>' +
          '<strong>NOMAD</strong> <span class="nomad-process muted"></span>: ' +
          '<span class="nomad-status label"></span> ' +
          '<a class="nomad-link" target="_blank" rel="noopener" style="display: none">' +
            'open in NOMAD</a> ' +
          '<small class="nomad-details muted"></small>' +
        '</div>' +
        '<div class="nomad-progress progress progress-striped active" ' +
            'style="margin: 6px 0; height: 12px; display: none">' +
          '<div class="bar" style="width: 0%"></div>' +
        '</div>' +
        '<div class="nomad-message" style="margin-top: 4px"></div>' +
        '<ul class="nomad-errors text-error" style="margin: 4px 0 0 18px"></ul>' +
        '<div class="nomad-entries" style="margin-top: 4px; display: none"></div>' +
        '<div class="nomad-lineage" style="margin-top: 4px; display: none">' +
          '<div class="nomad-lineage-counts"></div>' +
          '<ul class="nomad-lineage-notes" style="margin: 2px 0 0 18px"></ul>' +
          '<div class="nomad-lineage-uncertain-title muted" style="display: none">' +
            'Targets to confirm:</div>' +
          '<ul class="nomad-lineage-uncertain muted" style="margin: 2px 0 0 18px"></ul>' +
        '</div>' +
    '</div>';
}

// The panel sits just above the form's buttons (or on top when a form has none).
function nomad_add_panel(item, $form) {
    var $panel = $(nomad_panel_html()),
        $footer = $form.find('.form-footer').last(),
        $body = $form.find('.form-body').first();
    if ($footer.length) {
        $footer.before($panel);
    }
    else if ($body.length) {
        $body.prepend($panel);
    }
    else {
        $form.prepend($panel);
    }
    return $panel;
}

function nomad_label_class(status) {
    if (status === 'processed' || status === 'published') {
        return 'label-success';
    }
    if (status === 'failed') {
        return 'label-important';
    }
    if (NOMAD.busy.indexOf(status) !== -1) {
        return 'label-info';
    }
    return '';
}

function nomad_safe_url(url) {
    return typeof url === 'string' && /^https?:\/\//i.test(url) ? url : '';
}

// One error of a reply: {step_position, step_name, step_type, field, value, message}.
function nomad_error_where(error) {
    var where = '';
    if (error.step_position || error.step_name) {
        where = 'Step' + (error.step_position ? ' ' + error.step_position : '') +
            (error.step_name ? ' "' + error.step_name + '"' : '') +
            (error.step_type ? ' (' + error.step_type + ')' : '');
    }
    if (error.field) {
        where += (where ? ', field ' : 'Field ') + error.field;
    }
    return where;
}

// True when the errors are about the process's data (they name a step or a field).
function nomad_is_validation(errors) {
    return $.isArray(errors) && errors.some(function(error) {
        return error && (error.step_position || error.step_name || error.field);
    });
}

// With a list of errors below it, the panel shows only the message's first sentence.
function nomad_message_text(info) {
    var message = info.message || '',
        end = message.indexOf('. ');
    if (nomad_is_validation(info.errors) && end > 0) {
        return message.slice(0, end + 1);
    }
    return message;
}

function nomad_error_text(error) {
    var where;
    if (!error) {
        return '';
    }
    if (typeof error === 'string') {
        return error;
    }
    where = nomad_error_prefix(error);
    return (where ? where + ': ' : '') + (error.message || JSON.stringify(error));
}

// The place to fix, unless the message already names the step and the field itself.
function nomad_error_prefix(error) {
    var message = String(error.message || ''),
        names_step = !error.step_name || message.indexOf(error.step_name) !== -1,
        names_field = !error.field || message.indexOf(error.field) !== -1;
    return names_step && names_field ? '' : nomad_error_where(error);
}

function nomad_error_item(error) {
    var $li = $('<li class="nomad-error">'),
        where = typeof error === 'object' && error ? nomad_error_prefix(error) : '';
    if (where) {
        $li.append($('<strong>').text(where + ': '));
        $li.append($('<span>').text(error.message || ''));
    }
    else {
        $li.text(nomad_error_text(error));
    }
    if (error && nomad_safe_url(error.link)) {  // e.g. an unpublished upload to publish
        $li.append(' ', $('<a class="nomad-error-link" target="_blank" rel="noopener">')
            .attr('href', nomad_safe_url(error.link)).text('open in NOMAD'));
    }
    return $li;
}

// A time from the server is ISO 8601 in the facility's zone (CAMS_TIMEZONE): shown as the
// facility's clock reads it, to the second, whatever the browser's zone.
function nomad_time(iso) {
    var parts = /^(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d:\d\d)/.exec(iso || '');
    return parts ? parts[1] + ' ' + parts[2] : iso;
}

function nomad_details_text(info) {
    var parts = [];
    if (info.upload_id) {
        parts.push('upload ' + info.upload_id);
    }
    if (info.uploaded_at) {
        parts.push('uploaded ' + nomad_time(info.uploaded_at));
    }
    if (info.published_at) {
        parts.push('published ' + nomad_time(info.published_at));
    }
    return parts.join(' · ');
}

// One link per step that has a NOMAD entry: "Entries: 1 2 3" (the title names the step).
function nomad_show_entries($entries, steps) {
    var linked = steps.filter(function(step) { return nomad_safe_url(step.link); });
    $entries.empty().toggle(linked.length > 0);
    if (linked.length) {
        $entries.append($('<span class="muted">').text('Entries of the steps: '));
        linked.forEach(function(step) {
            $entries.append($('<a class="nomad-entry" target="_blank" rel="noopener">')
                .attr('href', nomad_safe_url(step.link))
                .attr('title', 'Step ' + step.position + ' ' + (step.name || '') +
                    ' - entry ' + (step.entry_id || ''))
                .text(step.position), ' ');
        });
    }
}

// Show a state ({process_id, name, status, busy, message, link, errors, can_publish, ...})
// or a button reply ({ok, status, message, errors}) in a panel.
function nomad_show(item, $panel, info) {
    var status = info.status || 'not uploaded',
        link = nomad_safe_url(info.link),
        busy = NOMAD.busy.indexOf(status) !== -1,
        $errors = $panel.find('.nomad-errors'),
        errors = info.errors || [];
    $panel.attr('data-status', status);
    if (info.name !== undefined) {
        $panel.find('.nomad-process').text(info.name || '');
    }
    $panel.find('.nomad-status')
        .removeClass('label-success label-important label-info')
        .addClass(nomad_label_class(status))
        .text(status);
    if (link) {
        $panel.find('.nomad-link').attr('href', link).show();
    }
    else if (info.link !== undefined) {
        $panel.find('.nomad-link').removeAttr('href').hide();
    }
    if (info.upload_id !== undefined) {
        $panel.find('.nomad-details').text(nomad_details_text(info));
    }
    if (info.steps !== undefined) {
        nomad_show_entries($panel.find('.nomad-entries'), info.steps || []);
    }
    $panel.find('.nomad-progress').toggle(busy)
        .find('.bar').css('width', (NOMAD.progress[status] || 0) + '%');
    $panel.find('.nomad-message').text(nomad_message_text(info));
    $errors.empty();
    if (!$.isArray(errors)) {
        errors = [errors];
    }
    errors.forEach(function(error) {
        $errors.append(nomad_error_item(error));
    });
    $panel.show();
    nomad_update_buttons(item, info);
    if (!busy && info.process_id) {
        nomad_lineage(item, $panel, info);
    }
}

// ---- where the CAMS values went (kept with the last upload job) -------------------------

function nomad_lineage(item, $panel, info) {
    var key = info.process_id + '/' + (info.upload_id || '') + '/' + (info.outcome || '');
    if ($panel.data('nomad-lineage-key') === key) {
        return;
    }
    $panel.data('nomad-lineage-key', key);
    item.server(NOMAD.lineage_func, [info.process_id], function(reply, error) {
        if (!error && reply && reply.process_id === info.process_id) {
            nomad_show_lineage($panel.find('.nomad-lineage'), reply.lineage);
        }
    });
}

function nomad_show_lineage($box, lineage) {
    var $notes = $box.find('.nomad-lineage-notes').empty(),
        $uncertain = $box.find('.nomad-lineage-uncertain').empty();
    if (!lineage) {
        $box.hide();
        return;
    }
    $box.find('.nomad-lineage-counts').text(lineage.in_quantities +
        ' values in NOMAD quantities, ' + lineage.in_notes + ' kept in notes');
    (lineage.notes || []).forEach(function(kept) {
        $notes.append($('<li>').text('step ' + kept.step_position + ' (' + kept.step_type +
            '): ' + kept.field + ' = ' + kept.value + ' — ' + kept.reason));
    });
    (lineage.uncertain || []).forEach(function(target) {
        $uncertain.append($('<li>').text(target.step_type + ': ' + target.field + ' → ' +
            target.target + (target.note ? ' (' + target.note + ')' : '')));
    });
    $box.find('.nomad-lineage-uncertain-title').toggle($uncertain.children().length > 0);
    $box.show();
}

// ---- polling ------------------------------------------------------------------------
// Each process whose job runs is followed until the job ends (one loop per process, so a
// job keeps being followed when the user selects another process); the panels show the
// process in focus: the one selected in the list or open in the form.

function nomad_stop_polling(item) {
    var timers = item._nomad_timers || {},
        gens = item._nomad_gen || {};
    Object.keys(timers).forEach(function(id) { clearTimeout(timers[id]); });
    Object.keys(gens).forEach(function(id) { gens[id] += 1; });
    item._nomad_timers = {};
    item._nomad_shown = undefined;
}

function nomad_panels(item) {
    var $panels = $();
    if (item.view_form) {
        $panels = $panels.add(item.view_form.find('.nomad-panel'));
    }
    if (item.edit_form) {
        $panels = $panels.add(item.edit_form.find('.nomad-panel'));
    }
    return $panels;
}

// Put a process in focus: the panels show it from its next state on (and nothing of the
// process shown before).
function nomad_focus(item, process_id, job_started) {
    if (item._nomad_shown !== process_id) {
        nomad_clear_panels(item);
    }
    item._nomad_shown = process_id;
    nomad_poll(item, process_id, job_started);
}

function nomad_clear_panels(item) {
    var $panels = nomad_panels(item);
    $panels.find('.nomad-message, .nomad-details, .nomad-process').text('');
    $panels.find('.nomad-errors').empty();
    $panels.find('.nomad-entries').empty().hide();
    $panels.find('.nomad-link').removeAttr('href').hide();
    nomad_lock_buttons(item, 'Reading the NOMAD state of the process…');
}

// Ask for the state of one process, show it if it is in focus, and ask again while its job
// runs. `seen_busy`: a job ran, so the list row is refreshed when it ends.
function nomad_poll(item, process_id, seen_busy) {
    var gen;
    item._nomad_gen = item._nomad_gen || {};
    item._nomad_timers = item._nomad_timers || {};
    clearTimeout(item._nomad_timers[process_id]);
    gen = item._nomad_gen[process_id] = (item._nomad_gen[process_id] || 0) + 1;
    item.server(NOMAD.status_func, [process_id], function(info, error) {
        var busy = !error && info && NOMAD.busy.indexOf(info.status) !== -1;
        if (item._nomad_gen[process_id] !== gen) {
            return;
        }
        if (process_id === item._nomad_shown) {
            if (error) {
                nomad_panels(item).find('.nomad-message').text(error);
            }
            else {
                nomad_panels(item).each(function() {
                    nomad_show(item, $(this), info);
                });
            }
        }
        if (error || busy) {
            item._nomad_timers[process_id] = setTimeout(function() {
                nomad_poll(item, process_id, seen_busy || busy);
            }, error ? NOMAD.poll_ms * 3 : NOMAD.poll_ms);
        }
        else {
            delete item._nomad_timers[process_id];
            if (seen_busy) {
                nomad_refresh_row(item, process_id);
            }
            if (!error && info) {
                nomad_job_ended(item, process_id, info);
            }
        }
    });
}

// After this user's press: the worker found the data invalid and sent nothing. The panel
// already lists the errors (step and field); say so once, as a refused press would.
function nomad_job_ended(item, process_id, info) {
    var pressed = item._nomad_pressed || {};
    if (!pressed[process_id]) {
        return;
    }
    delete pressed[process_id];
    if (info.outcome === 'invalid' && nomad_is_validation(info.errors)) {
        item.alert_error('Upload FAIR: nothing was sent to NOMAD. ' +
            'Fix the fields listed under NOMAD and press Upload FAIR again.', {duration: 10});
    }
}

// Bring the list row of a finished job up to date (never while the user edits it).
function nomad_refresh_row(item, process_id) {
    var steps = item.find(NOMAD.steps_detail);
    if (!item.rec_count) {
        return;
    }
    if (item.is_changing()) {
        if (!item.is_modified() && steps && steps.active && item.id.value === process_id) {
            steps.open(function() {});
        }
        return;
    }
    if (item.id.value === process_id) {
        item.refresh_record(function() {});
    }
    else if (item.view_form) {
        item.refresh_page(function() {});
    }
}

// Show the status of the selected process (once per selection); follow a running job.
function nomad_select(item) {
    clearTimeout(item._nomad_select_timer);
    item._nomad_select_timer = setTimeout(function() {
        var process_id = item.rec_count ? item.id.value : null;
        if (process_id && process_id !== item._nomad_shown) {
            nomad_focus(item, process_id, false);
        }
    }, 150);
}

// ---- actions ------------------------------------------------------------------------

function nomad_current_id(item) {
    if (!item.rec_count || !item.id.value) {
        item.warning('Select a process first (or save the new process).');
        return null;
    }
    return item.id.value;
}

function nomad_upload(item) {
    var process_id = nomad_current_id(item);
    if (!process_id) {
        return;
    }
    if (item.is_changing() && item.is_modified()) {
        item.warning('This process has unsaved changes. Save it (OK), then press Upload FAIR: ' +
            'the upload sends what is stored in CAMS.');
        return;
    }
    item.server(NOMAD.upload_func, [process_id], function(reply, error) {
        reply = reply || {};
        if (error) {
            item.alert_error(error, {duration: 10});
            return;
        }
        if (!reply.ok && nomad_is_validation(reply.errors)) {
            item._nomad_shown = process_id;
            nomad_panels(item).each(function() {
                nomad_show(item, $(this), reply);
            });
            item.alert_error('Upload FAIR: nothing was sent to NOMAD. ' +
                'Fix the fields listed under NOMAD and press Upload FAIR again.', {duration: 10});
            return;
        }
        if (!reply.ok) {
            item.warning($('<p class="nomad-refusal">').text(reply.message ||
                'The upload was refused.'));
        }
        else {
            item._nomad_pressed = item._nomad_pressed || {};
            item._nomad_pressed[process_id] = true;
            nomad_panels(item).each(function() {
                nomad_show(item, $(this), reply);
            });
            nomad_refresh_row(item, process_id);
        }
        nomad_focus(item, process_id, true);
    });
}

// The publish dialog's classes for the page's Bootstrap: jam.py 5 ships Bootstrap 2 (jQuery
// plugins only), jam.py 7 Bootstrap 5 (window.bootstrap), which draws a bare "btn" with no
// fill and a bare input with no border.
var NOMAD_PUBLISH_CSS = {
    2: {label: '', input: 'input-mini', check: 'checkbox', check_input: '',
        check_label: '', error: 'text-error', footer: '', cancel: 'btn',
        confirm: 'btn btn-danger'},
    5: {label: 'form-label', input: 'form-control w-auto', check: 'form-check mt-3',
        check_input: 'form-check-input', check_label: 'form-check-label',
        error: 'text-danger mt-2', footer: 'd-flex justify-content-end gap-2',
        cancel: 'btn btn-secondary', confirm: 'btn btn-danger'}
};

function nomad_bootstrap_major() {
    var b = window.bootstrap;
    return b && b.Modal && parseInt(b.Modal.VERSION, 10) >= 5 ? 5 : 2;
}

var nomad_publish_count = 0;  // each dialog's own ids, for its labels

function nomad_publish_dialog_html() {
    var css = NOMAD_PUBLISH_CSS[nomad_bootstrap_major()],
        id = 'nomad-publish-' + (++nomad_publish_count),
        check = '<input class="nomad-confirm ' + css.check_input + '" type="checkbox" ' +
            'id="' + id + '-understood"> ',
        understood = 'I understand that publishing is irreversible.';
    return '<div class="nomad-publish-dialog">' +
        '<p><strong>Publishing on NOMAD cannot be undone.</strong> The upload of ' +
        '<span class="nomad-publish-name"></span> becomes permanent: its files can never ' +
        'be changed or deleted, and it becomes public when the embargo ends.</p>' +
        '<label class="' + css.label + '" for="' + id + '-embargo">Embargo (months, ' +
        '0 = public now, at most ' + NOMAD.max_embargo_months + ')</label>' +
        '<input class="nomad-embargo ' + css.input + '" id="' + id + '-embargo" ' +
            'type="number" min="0" max="' + NOMAD.max_embargo_months + '" value="0"> ' +
        (css.check_label ?
            '<div class="' + css.check + '">' + check + '<label class="' + css.check_label +
            '" for="' + id + '-understood">' + understood + '</label></div>' :
            '<label class="' + css.check + '">' + check + understood + '</label>') +
        '<p class="nomad-publish-error ' + css.error + '"></p>' +
        '<div class="nomad-publish-buttons ' + css.footer + '" style="text-align: right">' +
          '<button type="button" class="' + css.cancel + ' nomad-publish-cancel">Cancel' +
          '</button> ' +
          '<button type="button" class="' + css.confirm + ' nomad-publish-confirm" ' +
            'disabled>Publish permanently</button>' +
        '</div>' +
    '</div>';
}

function nomad_publish(item) {
    var process_id = nomad_current_id(item),
        $dialog,
        $content;
    if (!process_id) {
        return;
    }
    $content = $(nomad_publish_dialog_html());
    $content.find('.nomad-publish-name').text(item.field_by_name('name') ?
        '"' + item.field_by_name('name').display_text + '"' : 'process ' + process_id);
    $dialog = item.message($content, {title: 'Publish on NOMAD', width: 520});
    // jam.py 5 answers the shown element; jam.py 7 shows a clone of $content and answers
    // its modal form (the shown clone in $modal)
    $content = $dialog.$modal || $dialog;
    $content.find('.nomad-confirm').on('change', function() {
        $content.find('.nomad-publish-confirm').prop('disabled', !this.checked);
    });
    $content.find('.nomad-publish-cancel').on('click', function() {
        item.hide_message($dialog);
    });
    $content.find('.nomad-publish-confirm').on('click', function() {
        var months = Number($content.find('.nomad-embargo').val());
        if (!Number.isInteger(months) || months < 0 || months > NOMAD.max_embargo_months) {
            $content.find('.nomad-publish-error').text('The embargo must be a whole number of ' +
                'months from 0 to ' + NOMAD.max_embargo_months + '.');
            return;
        }
        $(this).prop('disabled', true);
        item.server(NOMAD.publish_func, [process_id, months], function(reply, error) {
            reply = reply || {};
            item.hide_message($dialog);
            if (error || !reply.ok) {
                item.warning($('<p class="nomad-refusal">').text(error || reply.message ||
                    nomad_error_text((reply.errors || [])[0])));
            }
            nomad_focus(item, process_id, true);
        });
    });
}

function nomad_export(item) {
    var process_id = nomad_current_id(item);
    if (!process_id) {
        return;
    }
    item.server(NOMAD.export_func, [process_id], function(reply, error) {
        var url,
            $link;
        if (error || !reply || !reply.ok || !reply.zip_base64) {
            item.warning($('<div>').append(
                $('<p>').text(error || (reply && reply.message) || 'The export failed.'),
                $('<ul class="text-error">').append(((reply && reply.errors) || []).map(
                    nomad_error_item))
            ));
            return;
        }
        // The zip arrives in the reply (never from a public URL) and is saved from memory.
        url = URL.createObjectURL(nomad_zip_blob(reply.zip_base64));
        $link = $('<a class="nomad-download" style="display: none">')
            .attr('href', url)
            .attr('download', reply.file_name || 'export.zip');
        $('body').append($link);
        $link.get(0).click();
        $link.remove();
        setTimeout(function() { URL.revokeObjectURL(url); }, 60000);
    });
}

function nomad_zip_blob(base64) {
    var bytes = atob(base64),
        array = new Uint8Array(bytes.length),
        i;
    for (i = 0; i < bytes.length; i++) {
        array[i] = bytes.charCodeAt(i);
    }
    return new Blob([array], {type: 'application/zip'});
}

// ---- buttons ------------------------------------------------------------------------
// A button the user may not use is disabled, its tooltip says why (the server's sentence);
// the server refuses such a press anyway.

function nomad_buttons(item, css_class) {
    var $buttons = $();
    if (item.view_form) {
        $buttons = $buttons.add(item.view_form.find(css_class));
    }
    if (item.edit_form) {
        $buttons = $buttons.add(item.edit_form.find(css_class));
    }
    return $buttons;
}

function nomad_set_button($button, why) {
    $button.prop('disabled', !!why).toggleClass('nomad-not-allowed', !!why)
        .attr('title', why || '');
}

// Until the state of the process in focus arrives, its buttons wait.
function nomad_lock_buttons(item, why) {
    ['.nomad-upload-btn', '.nomad-export-btn', '.nomad-publish-btn'].forEach(function(css) {
        nomad_set_button(nomad_buttons(item, css), why);
    });
}

function nomad_update_buttons(item, info) {
    var why = info.why_not,
        $list = item.view_form;
    if (!why || info.process_id === undefined) {
        // a button reply: the next state updates the buttons; a job under way already
        // blocks another press (the server's sentence, as in button_upload_fair._buttons)
        if (NOMAD.busy.indexOf(info.status) !== -1) {
            nomad_set_button(nomad_buttons(item, '.nomad-upload-btn'),
                             'An upload is under way (' + info.status + ').');
        }
        return;
    }
    nomad_set_button(nomad_buttons(item, '.nomad-upload-btn'), why.upload);
    nomad_set_button(nomad_buttons(item, '.nomad-export-btn'), why.export);
    nomad_set_button(nomad_buttons(item, '.nomad-publish-btn'), why.publish);
    nomad_buttons(item, '.nomad-publish-btn').toggle(info.status === 'processed');
    if ($list && !item.is_changing()) {
        nomad_set_button($list.find('#edit-btn'), why.edit);
        nomad_set_button($list.find('#delete-btn'), why['delete']);
    }
    if (item.edit_form && why.edit && !item.is_new()) {
        nomad_set_button(item.edit_form.find('#ok-btn'), why.edit);
    }
}

// What the user may do (rights.py), asked once: the owner field is editable only for those
// who may change owners, New only for those who may add processes.
function nomad_load_rights(item, callback) {
    if (item.task._nomad_rights) {
        callback(item.task._nomad_rights);
        return;
    }
    item.server(NOMAD.rights_func, [], function(reply, error) {
        if (!error && reply) {
            item.task._nomad_rights = reply;
            callback(reply);
        }
    });
}

function nomad_apply_rights(item) {
    nomad_load_rights(item, function(info) {
        var owner = item.field_by_name(NOMAD.owner_field);
        if (owner && !info.rights.change_owner) {
            owner.read_only = true;
        }
        if (item.view_form && !info.rights.create) {
            nomad_set_button(item.view_form.find('#new-btn'),
                info.login + ' may not add processes.');
        }
    });
}

// A new process belongs to whoever creates it (the server makes sure of it).
function nomad_new_owner(item) {
    var owner = item.field_by_name(NOMAD.owner_field),
        info = item.task._nomad_rights;
    if (owner && info && info.login && !owner.value) {
        owner.value = info.login;
    }
}

function nomad_add_buttons(item, add) {
    add('Upload FAIR', {btn_class: 'nomad-upload-btn', type: 'primary', image: 'icon-upload'})
        .on('click', function(e) {
            e.preventDefault();
            nomad_upload(item);
        });
    add('Publish', {btn_class: 'nomad-publish-btn', type: 'danger', image: 'icon-globe'})
        .hide()
        .on('click', function(e) {
            e.preventDefault();
            nomad_publish(item);
        });
    add('Export', {btn_class: 'nomad-export-btn', image: 'icon-download-alt'})
        .on('click', function(e) {
            e.preventDefault();
            nomad_export(item);
        });
}

// ---- hooks called by the event handlers below ---------------------------------------

function nomad_view_form_created(item) {
    NOMAD.list_columns.forEach(function(name) {
        if (item.field_by_name(name) && item.view_options.fields.length &&
            item.view_options.fields.indexOf(name) === -1) {
            item.view_options.fields.push(name);
        }
    });
    nomad_link_steps(item);
    nomad_add_panel(item, item.view_form);
    nomad_add_buttons(item, function(text, options) {
        return item.add_view_button(text, options);
    });
    nomad_apply_rights(item);
}

// The form's read-only NOMAD fields would go stale while a job runs: the panel shows them.
function nomad_hide_edit_fields(item) {
    var fields = item.edit_options.fields || [],
        tabs = item.edit_options.tabs;
    if (!fields.length && tabs && tabs.length === 1 && !tabs[0].name &&
        tabs[0].bands.length === 1) {
        fields = tabs[0].bands[0].fields;
    }
    if (!fields.length && !tabs) {
        item.each_field(function(f) {
            if (f.field_name !== item._primary_key && f.field_name !== item._deleted_flag) {
                fields.push(f.field_name);
            }
        });
    }
    if (fields.length) {
        item.edit_options.fields = fields.filter(function(name) {
            return NOMAD.form_fields.indexOf(name) === -1;
        });
    }
}

function nomad_edit_form_created(item) {
    nomad_apply_rights(item);
    nomad_hide_edit_fields(item);
    nomad_link_steps(item);
    nomad_add_panel(item, item.edit_form);
    nomad_add_buttons(item, function(text, options) {
        return item.add_edit_button(text, options);
    });
    if (item.rec_count && item.id.value) {
        nomad_focus(item, item.id.value, false);
    }
}

function nomad_view_form_closed(item) {
    nomad_stop_polling(item);
}

// A job may have ended while the form was open: bring the list row up to date.
function nomad_edit_form_closed(item) {
    if (item.view_form && item.rec_count && item.id.value) {
        nomad_focus(item, item.id.value, true);
    }
    else {
        nomad_stop_polling(item);
    }
}

// The steps detail shows its NOMAD entry links as links, in the list and in the form.
function nomad_link_steps(item) {
    var steps = item.find(NOMAD.steps_detail);
    if (steps && !steps.on_field_get_html) {
        steps.on_field_get_html = nomad_field_html;
    }
}

function nomad_field_html(field) {
    var url,
        entry = field.field_name === 'nomad_entry_link';
    if (field.field_name === 'nomad_link' || entry) {
        url = nomad_safe_url(field.value);
        if (url) {
            return $('<a target="_blank" rel="noopener">')
                .addClass(entry ? 'nomad-entry-link' : 'nomad-link')
                .attr('href', url).text(entry ? 'NOMAD entry' : 'NOMAD').prop('outerHTML');
        }
    }
    if (field.field_name === 'nomad_status' && field.value) {
        return $('<span class="label">').addClass(nomad_label_class(field.value))
            .text(field.value).prop('outerHTML');
    }
}

// ---- jam.py events (merge these lines into an existing client module) ---------------

// The demo task's own choice of columns (an existing CAMS keeps its own).
var LIST_COLUMNS = ['name', 'owner_login', 'project', 'start_date', 'end_date'],
    STEP_COLUMNS = ['position', 'step_type', 'name', 'date', 'operator', 'nomad_entry_link'];

function choose_columns(item, names) {
    var present = names.filter(function(name) { return item.field_by_name(name); });
    if (present.length) {
        item.view_options.fields = present;
    }
}

function on_view_form_created(item) {
    var steps = item.find('steps');
    choose_columns(item, LIST_COLUMNS);
    if (steps) {
        choose_columns(steps, STEP_COLUMNS);
    }
    nomad_view_form_created(item);
}

function on_view_form_closed(item) {
    nomad_view_form_closed(item);
}

// The process form fits a 1400x900 screen with its buttons in view: wide, fields in two
// columns (jam.py 5 and 7 keep the form's one band of fields in edit_options.tabs).
// The form's chosen fields (edit_options.fields) go into that band, whose options jam.py
// reads only when edit_options.fields is empty.
function process_form_fits(item) {
    var tabs = item.edit_options.tabs,
        band = tabs && tabs.length === 1 && tabs[0].bands && tabs[0].bands.length === 1 &&
            tabs[0].bands[0];
    item.edit_options.width = 1100;
    if (band) {
        if (item.edit_options.fields && item.edit_options.fields.length) {
            band.fields = item.edit_options.fields;
            item.edit_options.fields = [];
        }
        band.options.col_count = 2;
    }
}

function on_edit_form_created(item) {
    item.edit_options.detail_height = 180;
    step_forms_wire(item);
    nomad_edit_form_created(item);
    process_form_fits(item);
}

function on_edit_form_closed(item) {
    nomad_edit_form_closed(item);
}

function on_after_append(item) {
    nomad_new_owner(item);
}

function on_after_scroll(item) {
    if (item.view_form && !item.is_changing()) {
        nomad_select(item);
    }
}

function on_field_get_html(field) {
    return nomad_field_html(field);
}
