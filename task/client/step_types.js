// Step types: as a picker (the step's type) it lists every type by its full name, in one
// searchable list without pages.

function on_view_form_created(item) {
    item.paginate = false;
    item.view_options.fields = ['name'];
    item.view_options.enable_search = true;
    item.view_options.search_field = 'name';
    item.view_options.width = 560;
}
