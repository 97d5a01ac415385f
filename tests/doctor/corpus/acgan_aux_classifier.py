"""AC-GAN: label embedding in G, D with a validity head and an auxiliary class head."""
# expect: T01=pass T02=pass T03=pass T04=pass T05=pass T06=absent T07=pass T08=absent T09=pass
# expect: T10=absent T11=pass T12=pass T13=absent T14=absent T15=absent T16=pass T17=absent
import numpy as np
import torch
import torch.nn as nn
from torchvision import datasets, transforms

n_classes, latent_dim = 10, 100


class Generator(nn.Module):
    def __init__(self):
        super().__init__()
        self.label_emb = nn.Embedding(n_classes, latent_dim)
        self.l1 = nn.Sequential(nn.Linear(latent_dim, 128 * 8 * 8))
        self.conv_blocks = nn.Sequential(
            nn.BatchNorm2d(128), nn.Upsample(scale_factor=2), nn.Conv2d(128, 64, 3, padding=1),
            nn.BatchNorm2d(64), nn.LeakyReLU(0.2, inplace=True), nn.Conv2d(64, 1, 3, padding=1), nn.Tanh())

    def forward(self, noise, labels):
        gen_input = torch.mul(self.label_emb(labels), noise)
        out = self.l1(gen_input).view(gen_input.shape[0], 128, 8, 8)
        return self.conv_blocks(out)


class Discriminator(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv_blocks = nn.Sequential(
            nn.Conv2d(1, 16, 3, 2, 1), nn.LeakyReLU(0.2, inplace=True), nn.Dropout2d(0.25),
            nn.Conv2d(16, 32, 3, 2, 1), nn.BatchNorm2d(32, 0.8), nn.LeakyReLU(0.2, inplace=True))
        self.adv_layer = nn.Sequential(nn.Linear(32 * 4 * 4, 1), nn.Sigmoid())
        self.aux_layer = nn.Sequential(nn.Linear(32 * 4 * 4, n_classes), nn.Softmax(dim=1))

    def forward(self, img):
        out = self.conv_blocks(img).view(img.shape[0], -1)
        return self.adv_layer(out), self.aux_layer(out)


adversarial_loss = nn.BCELoss()
auxiliary_loss = nn.CrossEntropyLoss()
generator, discriminator = Generator(), Discriminator()
optimizer_G = torch.optim.Adam(generator.parameters(), lr=2e-4, betas=(0.5, 0.999))
optimizer_D = torch.optim.Adam(discriminator.parameters(), lr=2e-4, betas=(0.5, 0.999))
dataloader = torch.utils.data.DataLoader(datasets.MNIST("data", download=True, transform=transforms.Compose(
    [transforms.Resize(32), transforms.ToTensor(), transforms.Normalize([0.5], [0.5])])), batch_size=64)

for epoch in range(200):
    for i, (imgs, labels) in enumerate(dataloader):
        batch_size = imgs.shape[0]
        valid = torch.ones(batch_size, 1)
        fake = torch.zeros(batch_size, 1)
        z = torch.tensor(np.random.normal(0, 1, (batch_size, latent_dim)), dtype=torch.float)
        gen_labels = torch.randint(0, n_classes, (batch_size,))
        optimizer_G.zero_grad()
        gen_imgs = generator(z, gen_labels)
        validity, pred_label = discriminator(gen_imgs)
        g_loss = 0.5 * (adversarial_loss(validity, valid) + auxiliary_loss(pred_label, gen_labels))
        g_loss.backward()
        optimizer_G.step()
        optimizer_D.zero_grad()
        real_pred, real_aux = discriminator(imgs)
        d_real_loss = (adversarial_loss(real_pred, valid) + auxiliary_loss(real_aux, labels)) / 2
        fake_pred, fake_aux = discriminator(gen_imgs.detach())
        d_fake_loss = (adversarial_loss(fake_pred, fake) + auxiliary_loss(fake_aux, gen_labels)) / 2
        d_loss = (d_real_loss + d_fake_loss) / 2
        d_loss.backward()
        optimizer_D.step()
