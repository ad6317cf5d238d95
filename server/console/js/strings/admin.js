// The admin pages' frame (js/pages/admin.js): the Admin entry in the top bar, the tabs and
// the "admins only" page. Each section's own sentences are in strings/admin_<section>.js.
// pt_BR holds only what Brazilian Portuguese says differently from pt.

export default {
    en: {
        'nav.admin': 'Admin',
        'admin.tabs': 'Admin pages',
        'admin.only.heading': 'This page is for admins',
        'admin.only.body': 'Only the team’s admins manage users, groups, organizations, branding profiles and the audit log. If you need a change there, ask one of your admins.',
        'admin.only.back': 'Back to the queue',
    },
    pt: {
        'nav.admin': 'Administração',
        'admin.tabs': 'Páginas de administração',
        'admin.only.heading': 'Esta página é para administradores',
        'admin.only.body': 'Só os administradores da equipa gerem utilizadores, grupos, organizações, perfis de marca e o registo de auditoria. Se precisar de uma alteração, peça a um dos administradores.',
        'admin.only.back': 'Voltar à fila',
    },
    pt_BR: {
        'admin.only.body': 'Só os administradores da equipe gerenciam usuários, grupos, organizações, perfis de marca e o registro de auditoria. Se precisar de uma alteração, peça a um dos administradores.',
    },
    it: {
        'nav.admin': 'Amministrazione',
        'admin.tabs': 'Pagine di amministrazione',
        'admin.only.heading': 'Questa pagina è per gli amministratori',
        'admin.only.body': 'Solo gli amministratori del team gestiscono utenti, gruppi, organizzazioni, profili di branding e registro di controllo. Se ti serve una modifica, chiedi a uno dei tuoi amministratori.',
        'admin.only.back': 'Torna alla coda',
    },
};
