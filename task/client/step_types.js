// Step types: as a picker (the step's type) it lists every type by its full name, in one
// searchable list without pages.

function on_view_form_created(item) {
    item.paginate = false;
    item.view_options.fields = ['name'];
    item.view_options.enable_search = true;
    item.view_options.search_field = 'name';
    item.view_options.width = 560;
}

// A picker is for picking a type: it offers no Delete, Edit or New. The catalogue itself
// (Catalogs > Step types) offers only the buttons the user's rights allow (the server
// refuses the rest anyway).
function on_view_form_shown(item) {
    var picking = !!item.lookup_field;
    item.view_form.find('#new-btn').toggle(!picking && item.can_create());
    item.view_form.find('#edit-btn').toggle(!picking && item.can_edit());
    item.view_form.find('#delete-btn').toggle(!picking && item.can_delete());
}
