// CAMS steps (detail of processes): show each step's NOMAD entry link as a link.

function on_field_get_html(field) {
    var url = field.value;
    if (field.field_name === 'nomad_entry_link' && typeof url === 'string' &&
        /^https?:\/\//i.test(url)) {
        return $('<a target="_blank" rel="noopener" class="nomad-entry-link">')
            .attr('href', url).text('NOMAD entry').prop('outerHTML');
    }
}
