// My NOMAD account: a CAMS user links their own NOMAD token, so that their uploads go to
// NOMAD in their name. The server checks the token with NOMAD, keeps it encrypted and
// never sends it back: this page only ever shows the NOMAD account's name. Users whose
// role may remove links (administrators) also see every link, with a Remove button.

var NOMAD_ACCOUNT = {
    page_func: 'nomad_account',
    save_func: 'save_nomad_token',
    remove_func: 'remove_nomad_link'
};

function nomad_account_html() {
    return '<div class="nomad-account-page" style="max-width: 760px; margin: 10px 0">' +
        '<p class="muted">Link your own NOMAD account and the processes you upload go to ' +
          'NOMAD in your name: you are the main author, and NOMAD\'s limit of unpublished ' +
          'uploads is yours. Without a link, uploads go through the facility\'s NOMAD ' +
          'account, which names the people of the process who linked their accounts as ' +
          'coauthors.</p>' +
        '<div class="nomad-account-status well well-small"></div>' +
        '<div class="nomad-account-warning alert" style="display: none"></div>' +
        '<form class="nomad-account-form form-inline" autocomplete="off" ' +
            'onsubmit="return false">' +
          '<label for="nomad-account-token">NOMAD token (app token or personal access ' +
            'token)</label><br>' +
          '<input id="nomad-account-token" class="nomad-account-token input-xxlarge" ' +
            'type="password" autocomplete="new-password" spellcheck="false"> ' +
          '<button class="nomad-account-save btn btn-primary" type="submit">Save</button> ' +
          '<button class="nomad-account-remove btn" type="button">Remove my link</button>' +
        '</form>' +
        '<div class="nomad-account-message" style="margin-top: 8px"></div>' +
        '<div class="nomad-account-admin" style="display: none; margin-top: 16px">' +
          '<h4>Linked NOMAD accounts</h4>' +
          '<p class="muted">Tokens are never shown; removing a link deletes its token.</p>' +
          '<table class="nomad-account-links table table-condensed table-bordered">' +
            '<thead><tr><th>CAMS user</th><th>NOMAD account</th><th>linked</th>' +
              '<th>state</th><th></th></tr></thead><tbody></tbody>' +
          '</table>' +
        '</div>' +
    '</div>';
}

function nomad_account_when(iso) {
    var date = new Date(iso);
    return !iso ? '' : (isNaN(date.getTime()) ? iso : date.toLocaleString());
}

function nomad_account_say($page, ok, message) {
    $page.find('.nomad-account-message')
        .removeClass('text-error text-success')
        .addClass(ok ? 'text-success' : 'text-error')
        .text(message || '');
}

function nomad_account_show(item, $page, info) {
    var account = info.account,
        $status = $page.find('.nomad-account-status'),
        $rows = $page.find('.nomad-account-links tbody');
    $page.attr('data-linked', account ? 'yes' : 'no');
    if (!info.may_link && !info.may_remove_links) {
        $status.text(info.message || 'You may not link a NOMAD account.');
        $page.find('.nomad-account-form').hide();
        return;
    }
    $status.empty();
    if (account) {
        $status.append('Linked to NOMAD account ',
            $('<strong class="nomad-account-name">').text(account.shown),
            ' since ' + nomad_account_when(account.linked_at) + '.');
    }
    else {
        $status.text('No NOMAD account linked: your uploads go through the facility\'s ' +
            'NOMAD account.');
    }
    $page.find('.nomad-account-warning').toggle(Boolean(account && account.refused_at))
        .addClass('alert-error').text(account && account.refused_at ? info.message : '');
    $page.find('.nomad-account-form').toggle(Boolean(info.may_link));
    $page.find('.nomad-account-save, .nomad-account-token')
        .prop('disabled', !info.available)
        .attr('title', info.available ? '' : (info.unavailable_reason || ''));
    $page.find('.nomad-account-remove').toggle(Boolean(account));
    if (!info.available) {
        nomad_account_say($page, false, info.unavailable_reason);
    }
    $page.find('.nomad-account-admin').toggle(Boolean(info.may_remove_links));
    $rows.empty();
    (info.links || []).forEach(function(link) {
        $rows.append($('<tr>').attr('data-login', link.login).append(
            $('<td>').text(link.login),
            $('<td>').text(link.shown),
            $('<td>').text(nomad_account_when(link.linked_at)),
            $('<td>').text(link.refused_at ? 'refused by NOMAD - to renew' : 'in use'),
            $('<td>').append($('<button class="btn btn-mini nomad-account-remove-link" ' +
                'type="button">Remove</button>').attr('data-login', link.login))));
    });
}

function nomad_account_load(item, $page, after) {
    item.server(NOMAD_ACCOUNT.page_func, [], function(info, error) {
        if (error) {
            nomad_account_say($page, false, error);
            return;
        }
        nomad_account_show(item, $page, info);
        if (after) {
            after(info);
        }
    });
}

function nomad_account_answer(item, $page) {
    return function(reply, error) {
        var message = error || (reply && reply.message);
        nomad_account_load(item, $page, function() {
            nomad_account_say($page, !error && reply && reply.ok, message);
        });
    };
}

function nomad_account_page(item, $container) {
    var $page = $(nomad_account_html());
    $container.append($page);
    $page.on('click', '.nomad-account-save', function() {
        var $input = $page.find('.nomad-account-token'),
            token = $input.val();
        $input.val('');  // the token leaves the page with this one request
        nomad_account_say($page, true, 'Checking the token with NOMAD…');
        item.server(NOMAD_ACCOUNT.save_func, [token], nomad_account_answer(item, $page));
    });
    $page.on('click', '.nomad-account-remove', function() {
        item.question('Remove the link to your NOMAD account? Its token is deleted from ' +
            'CAMS; your next uploads go through the facility\'s account.', function() {
            item.server(NOMAD_ACCOUNT.remove_func, [null], nomad_account_answer(item, $page));
        });
    });
    $page.on('click', '.nomad-account-remove-link', function() {
        var login = $(this).attr('data-login');
        item.question('Remove the NOMAD link of ' + login + '? Its token is deleted.',
            function() {
                item.server(NOMAD_ACCOUNT.remove_func, [login],
                    nomad_account_answer(item, $page));
            });
    });
    nomad_account_load(item, $page);
    return $page;
}

function on_view_form_created(item) {
    item.view_options.open_item = false;
    item.view_form.find('.view-table, .view-detail, .form-footer').hide();
    nomad_account_page(item, item.view_form.find('.form-body').first());
}
